# bridge/host's consumer-facing token API (opgp/host_token.h): readers, card events, tokens.
# A library of its own on top of opgp_host, so consumers (PKCS#11, later CSP/KSP) link only it.
add_library(opgp_host_token STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/token.c
  ${CMAKE_CURRENT_LIST_DIR}/src/token_label.c
  ${CMAKE_CURRENT_LIST_DIR}/src/token_keys.c
  ${CMAKE_CURRENT_LIST_DIR}/src/token_pin.c
  ${CMAKE_CURRENT_LIST_DIR}/src/token_crypto.c
  ${CMAKE_CURRENT_LIST_DIR}/src/token_do.c
  ${CMAKE_CURRENT_LIST_DIR}/src/token_digest_info.c
  ${CMAKE_CURRENT_LIST_DIR}/src/slot_events.c
)
target_include_directories(opgp_host_token PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
target_link_libraries(opgp_host_token PUBLIC opgp_host)
if(WIN32)
  target_sources(opgp_host_token PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/slot_events_win32.c)
else()
  target_sources(opgp_host_token PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/slot_events_unix.c)
endif()
