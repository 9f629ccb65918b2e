# The CSP's Wine tests, included by tests/wine/CMakeLists.txt (its variables: src, bin, warn,
# OPGP_MINGW64_CC, OPGP_MINGW64_DIR, OPGP_WINE_ENV). opgpcsp.dll comes from the shared mingw64
# sub-build; csp-test.exe imports system DLLs only and finds the CSP through the registry.
set(opgp_csp_src ${CMAKE_SOURCE_DIR}/bridge/csp/tests)
opgp_wine_provider_test(csp SOURCES ${opgp_csp_src}/csp-test.c ${src}/win_test_cms.c
  LIBS -lcrypt32 -ladvapi32)

add_test(NAME wine_csp_rsa2048 COMMAND ${opgp_csp_src}/csp_test.sh card)
add_test(NAME wine_csp_rsa2048_pin_per_signature COMMAND ${opgp_csp_src}/csp_test.sh card-pps)
set_tests_properties(wine_csp_rsa2048 wine_csp_rsa2048_pin_per_signature PROPERTIES
  FIXTURES_REQUIRED opgp_wine ENVIRONMENT "${opgp_csp_env}" SKIP_RETURN_CODE 77 TIMEOUT 120
  LABELS "acceptance;wine")
# No pcscd at all: the provider still loads, names the missing service, and a verify context works.
add_test(NAME wine_csp_no_service COMMAND ${opgp_csp_src}/csp_test.sh nocard)
set_tests_properties(wine_csp_no_service PROPERTIES FIXTURES_REQUIRED opgp_wine
  ENVIRONMENT "${opgp_csp_env};PCSCLITE_CSOCK_NAME=${bin}/no-such-pcscd.comm" TIMEOUT 60
  LABELS wine)
