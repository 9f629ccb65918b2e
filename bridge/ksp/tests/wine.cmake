# The KSP's Wine tests, included by tests/wine/CMakeLists.txt (its variables: src, bin, warn,
# OPGP_MINGW64_CC, OPGP_MINGW64_DIR, OPGP_WINE_ENV). opgpksp.dll comes from the shared mingw64
# sub-build; ksp-test.exe imports system DLLs only and LoadLibrary's the KSP (Wine 8.0's ncrypt
# does not load third-party KSPs).
set(opgp_ksp_dir ${CMAKE_SOURCE_DIR}/bridge/ksp)
opgp_wine_provider_test(ksp SOURCES ${opgp_ksp_dir}/tests/ksp-test.c INCLUDES ${opgp_ksp_dir}
  DEPENDS ${opgp_ksp_dir}/ksp_provider.h LIBS -lbcrypt)

foreach(alg rsa2048 p256 bp256 p384)
  add_test(NAME wine_ksp_${alg} COMMAND ${opgp_ksp_dir}/tests/ksp_test.sh ${alg})
  set_tests_properties(wine_ksp_${alg} PROPERTIES FIXTURES_REQUIRED opgp_wine
    ENVIRONMENT "${opgp_ksp_env}" SKIP_RETURN_CODE 77 TIMEOUT 180 LABELS "acceptance;wine")
endforeach()
# A card that wants the PIN for every signature: the KSP verifies it again per SignHash.
add_test(NAME wine_ksp_rsa2048_pin_per_signature COMMAND ${opgp_ksp_dir}/tests/ksp_test.sh rsa2048-pps)
set_tests_properties(wine_ksp_rsa2048_pin_per_signature PROPERTIES FIXTURES_REQUIRED opgp_wine
  ENVIRONMENT "${opgp_ksp_env}" SKIP_RETURN_CODE 77 TIMEOUT 180 LABELS "acceptance;wine")
# No pcscd at all: the provider still opens, names the missing service, answers what needs no card.
add_test(NAME wine_ksp_no_service COMMAND ${opgp_ksp_dir}/tests/ksp_test.sh nocard)
set_tests_properties(wine_ksp_no_service PROPERTIES FIXTURES_REQUIRED opgp_wine
  ENVIRONMENT "${opgp_ksp_env};PCSCLITE_CSOCK_NAME=${bin}/no-such-pcscd.comm" TIMEOUT 60
  LABELS wine)
