# opgp_wine_provider_test(<name> SOURCES ... [INCLUDES ...] [DEPENDS ...] [LIBS ...]): a provider's
# Windows test program <name>-test.exe (mingw x64, static, with win_test_util.c), built by the
# target opgp_wine_<name>_test. Sets opgp_<name>_env, the ENVIRONMENT its test scripts run in:
# Wine, the mingw64 sub-build, and OPGP_<NAME>_TEST naming the program.
# Uses tests/wine/CMakeLists.txt's variables src, bin, warn, OPGP_MINGW64_CC, OPGP_WINE_ENV.
function(opgp_wine_provider_test name)
  cmake_parse_arguments(arg "" "" "SOURCES;INCLUDES;DEPENDS;LIBS" ${ARGN})
  set(exe ${bin}/${name}-test.exe)
  list(TRANSFORM arg_INCLUDES PREPEND -I)
  add_custom_command(
    OUTPUT ${exe}
    COMMAND ${OPGP_MINGW64_CC} ${warn} -DWIN32_LEAN_AND_MEAN -D_WIN32_WINNT=0x0601 -static
            -static-libgcc -I${src} ${arg_INCLUDES} -o ${exe} ${arg_SOURCES} ${src}/win_test_util.c
            ${arg_LIBS}
    DEPENDS ${arg_SOURCES} ${arg_DEPENDS} ${src}/win_test_util.c ${src}/win_test_util.h
    COMMENT "mingw ${name}-test.exe" VERBATIM)
  add_custom_target(opgp_wine_${name}_test ALL DEPENDS ${exe})

  string(TOUPPER ${name} upper)
  set(opgp_${name}_env "${OPGP_WINE_ENV};OPGP_WINE_RUN=${src}/wine-run"
      "OPGP_BUILD_DIR=${CMAKE_BINARY_DIR};OPGP_MINGW64_DIR=${OPGP_MINGW64_DIR}"
      "OPGP_WINE_BIN=${bin};OPGP_${upper}_TEST=${exe}" PARENT_SCOPE)
endfunction()
