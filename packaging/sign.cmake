# Authenticode signing with osslsigncode, on when configured with a real certificate:
#   -DOPGP_SIGN_PKCS12=/path/codesign.p12      certificate chain and private key
#   -DOPGP_SIGN_PASS_FILE=/path/pass.txt       its password (optional; read by osslsigncode)
#   -DOPGP_SIGN_TIMESTAMP_URL=http://...       RFC 3161 timestamp server (optional)
# A Windows build then signs every DLL and EXE it ships (target opgp_authenticode, part of the
# default target); the native build's Windows installer
# target passes the same settings to its Windows sub-builds, signs the installer and its
# uninstaller. Unset (the default): nothing is signed.
set(OPGP_SIGN_PKCS12 "" CACHE FILEPATH "PKCS#12 file to Authenticode-sign Windows binaries with")
set(OPGP_SIGN_PASS_FILE "" CACHE FILEPATH "File holding the password of OPGP_SIGN_PKCS12")
set(OPGP_SIGN_TIMESTAMP_URL "" CACHE STRING "RFC 3161 timestamp server for Authenticode signatures")
set(OPGP_SIGN_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/authenticode-sign.sh)

# The signing command line (a list), empty when signing is off.
set(OPGP_SIGN_COMMAND)
if(OPGP_SIGN_PKCS12)
  if(NOT EXISTS "${OPGP_SIGN_PKCS12}")
    message(FATAL_ERROR "OPGP_SIGN_PKCS12: no file ${OPGP_SIGN_PKCS12}")
  endif()
  find_program(OPGP_OSSLSIGNCODE osslsigncode)
  if(NOT OPGP_OSSLSIGNCODE)
    message(FATAL_ERROR "OPGP_SIGN_PKCS12 is set but osslsigncode is missing (apt-get install osslsigncode)")
  endif()
  set(OPGP_SIGN_COMMAND ${CMAKE_COMMAND} -E env OSSLSIGNCODE=${OPGP_OSSLSIGNCODE}
      ${OPGP_SIGN_SCRIPT} --pkcs12 ${OPGP_SIGN_PKCS12})
  if(OPGP_SIGN_PASS_FILE)
    list(APPEND OPGP_SIGN_COMMAND --pass-file ${OPGP_SIGN_PASS_FILE})
  endif()
  if(OPGP_SIGN_TIMESTAMP_URL)
    list(APPEND OPGP_SIGN_COMMAND --timestamp ${OPGP_SIGN_TIMESTAMP_URL})
  endif()
endif()
# The settings as -D arguments for a sub-build (ExternalProject CMAKE_ARGS).
set(OPGP_SIGN_CMAKE_ARGS -DOPGP_SIGN_PKCS12=${OPGP_SIGN_PKCS12}
    -DOPGP_SIGN_PASS_FILE=${OPGP_SIGN_PASS_FILE} -DOPGP_SIGN_TIMESTAMP_URL=${OPGP_SIGN_TIMESTAMP_URL})

# Windows build: one step of the default target signs every shipped DLL and EXE that this build
# has (the list below; the KSP only once it exists), after they are linked and before anything
# (the installer's sub-build consumers) picks them up.
set(OPGP_SIGNED_TARGETS opgpmd opgp-pkcs11 opgpcsp opgpksp opgp-tool)
function(opgp_authenticode_sign_all)
  if(NOT WIN32 OR NOT OPGP_SIGN_COMMAND)
    return()
  endif()
  set(files)
  foreach(t IN LISTS OPGP_SIGNED_TARGETS)
    if(TARGET ${t})
      list(APPEND files $<TARGET_FILE:${t}>)
    endif()
  endforeach()
  set(stamp ${CMAKE_BINARY_DIR}/authenticode.stamp)
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${OPGP_SIGN_COMMAND} ${files}
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${files} ${OPGP_SIGN_SCRIPT}
    COMMENT "Authenticode-signing the Windows binaries" VERBATIM)
  add_custom_target(opgp_authenticode ALL DEPENDS ${stamp})
endfunction()
