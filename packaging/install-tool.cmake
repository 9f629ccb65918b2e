# Installation of opgp-tool (included by tools/CMakeLists.txt): the program, and its man page on Unix.
include(GNUInstallDirs)
install(TARGETS opgp-tool RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tool)
if(NOT WIN32)
  install(FILES ${PROJECT_SOURCE_DIR}/tools/opgp-tool.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
          COMPONENT tool)
endif()
