# Certificate propagation under Wine, included by tests/wine/CMakeLists.txt (its variables: src,
# bin, warn, OPGP_MINGW64_CC, OPGP_MINGW64_DIR, OPGP_WINE_ENV). opgp-tool.exe and opgpcsp.dll come
# from the shared mingw64 sub-build; certprop-test.exe imports system DLLs only.
set(opgp_certprop_src ${CMAKE_SOURCE_DIR}/bridge/certprop/tests)
opgp_wine_provider_test(certprop
  SOURCES ${opgp_certprop_src}/certprop-test.c ${src}/win_test_cms.c LIBS -lcrypt32 -ladvapi32)

# RSA: the CSP signs through the propagated certificates. P-256: the KSP's names (Wine 8 loads
# no third-party KSP, so the properties are checked, not used).
add_test(NAME wine_certprop_rsa2048 COMMAND ${opgp_certprop_src}/certprop_test.sh rsa2048)
add_test(NAME wine_certprop_p256 COMMAND ${opgp_certprop_src}/certprop_test.sh p256)
set_tests_properties(wine_certprop_rsa2048 wine_certprop_p256 PROPERTIES
  FIXTURES_REQUIRED opgp_wine ENVIRONMENT "${opgp_certprop_env}" SKIP_RETURN_CODE 77 TIMEOUT 180
  LABELS "acceptance;wine" RESOURCE_LOCK opgp_wine_my_store)
# No PC/SC service: propagation fails with the "no card" exit code and leaves MY as it was.
add_test(NAME wine_certprop_no_service COMMAND ${opgp_certprop_src}/certprop_test.sh nocard)
set_tests_properties(wine_certprop_no_service PROPERTIES FIXTURES_REQUIRED opgp_wine
  ENVIRONMENT "${opgp_certprop_env};PCSCLITE_CSOCK_NAME=${bin}/no-such-pcscd.comm" TIMEOUT 60
  LABELS wine RESOURCE_LOCK opgp_wine_my_store)
# The watcher: `opgp-tool watch --propagate --remove-on-removal` in the background follows the
# simulated card out (its certificates leave MY) and back in (they return).
add_test(NAME wine_certprop_watch COMMAND ${opgp_certprop_src}/certprop_test.sh watch)
set_tests_properties(wine_certprop_watch PROPERTIES
  FIXTURES_REQUIRED opgp_wine ENVIRONMENT "${opgp_certprop_env}" SKIP_RETURN_CODE 77 TIMEOUT 60
  LABELS "acceptance;wine" RESOURCE_LOCK opgp_wine_my_store)
