# Packages (included at the end of the top-level CMakeLists.txt).
#   Linux: a .deb named opgp (cpack -G DEB in the build dir). Configure with
#          -DCMAKE_INSTALL_PREFIX=/usr for Debian paths (GNUInstallDirs then gives
#          lib/x86_64-linux-gnu): the package installs exactly what `cmake --install` does.
#   Windows: the NSIS installer is packaging/nsis/opgp.nsi (it needs the x64 and x86 builds).
#   Authenticode signing of the Windows binaries when configured: packaging/sign.cmake.
include(${CMAKE_CURRENT_LIST_DIR}/sign.cmake)
opgp_authenticode_sign_all()
if(WIN32 OR NOT PROJECT_IS_TOP_LEVEL)
  return()
endif()
set(CPACK_PACKAGE_NAME opgp)
set(CPACK_PACKAGE_VENDOR opgp)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "OpenPGP smart card PKCS#11 module and card tool")
set(CPACK_PACKAGE_DESCRIPTION "opgp-pkcs11.so gives PKCS#11 applications (p11-kit, GnuTLS, NSS,
OpenSSL, OpenSSH) the keys of OpenPGP cards through PC/SC; it is registered with p11-kit.
opgp-tool manages the card: PINs, keys, certificates, cardholder data.")
set(CPACK_PACKAGE_CONTACT "opgp maintainers <opgp@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
# Library dependencies (libpcsclite1, libssl3, libc6) from dpkg-shlibdeps; pcscd is what reaches
# the readers, p11-kit what makes applications find the module.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "pcscd")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "p11-kit")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
include(CPack)
