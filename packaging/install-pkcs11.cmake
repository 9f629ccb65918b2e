# Installation of the PKCS#11 module (included by bridge/pkcs11/CMakeLists.txt).
#   Unix:    ${libdir}/pkcs11/opgp-pkcs11.so, its p11-kit module config (so p11-kit, GnuTLS, ...
#            load it with no configuration), and opgp.pc naming the module's path.
#   Windows: opgp-pkcs11.dll in bin.
include(GNUInstallDirs)
if(WIN32)
  install(TARGETS opgp-pkcs11 RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT pkcs11)
  return()
endif()

set(OPGP_PKCS11_DIR ${CMAKE_INSTALL_LIBDIR}/pkcs11)
set(OPGP_PKCS11_MODULE_PATH ${CMAKE_INSTALL_FULL_LIBDIR}/pkcs11/opgp-pkcs11.so)
install(TARGETS opgp-pkcs11 LIBRARY DESTINATION ${OPGP_PKCS11_DIR} COMPONENT pkcs11)

# p11-kit resolves a relative "module:" against its own module directory: use the bare name when
# we install exactly there (Debian: prefix /usr), the absolute path otherwise (/usr/local, /opt).
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_get_variable(OPGP_P11KIT_MODULE_PATH p11-kit-1 p11_module_path)
endif()
if(OPGP_P11KIT_MODULE_PATH STREQUAL "${CMAKE_INSTALL_FULL_LIBDIR}/pkcs11")
  set(OPGP_P11KIT_MODULE_LINE opgp-pkcs11.so)
else()
  set(OPGP_P11KIT_MODULE_LINE ${OPGP_PKCS11_MODULE_PATH})
endif()
# p11-kit reads module configs from its data dir (Debian: /usr/share/p11-kit/modules); a
# /usr/local install lands in /usr/local/share/p11-kit/modules, which p11-kit does not read:
# point this at /etc/pkcs11/modules (or p11-kit's dir) for such installs.
set(OPGP_P11KIT_CONFIG_DIR ${CMAKE_INSTALL_DATADIR}/p11-kit/modules CACHE STRING
    "Where opgp.module goes (relative: under the install prefix)")
configure_file(${PROJECT_SOURCE_DIR}/packaging/opgp.module.in
               ${CMAKE_CURRENT_BINARY_DIR}/opgp.module @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/opgp.module DESTINATION ${OPGP_P11KIT_CONFIG_DIR}
        COMPONENT pkcs11)

if(IS_ABSOLUTE "${OPGP_P11KIT_CONFIG_DIR}")
  set(OPGP_P11KIT_CONFIG_FULL ${OPGP_P11KIT_CONFIG_DIR}/opgp.module)
else()
  set(OPGP_P11KIT_CONFIG_FULL ${CMAKE_INSTALL_PREFIX}/${OPGP_P11KIT_CONFIG_DIR}/opgp.module)
endif()
configure_file(${PROJECT_SOURCE_DIR}/packaging/opgp.pc.in ${CMAKE_CURRENT_BINARY_DIR}/opgp.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/opgp.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT pkcs11)
