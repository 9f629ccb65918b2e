; opgp for 64-bit Windows: the minidriver (x64 in System32, x86 in SysWOW64 for 32-bit programs),
; registered for the OpenPGP cards of inf/cards.txt (the entries of inf/opgpmd.reg), the PKCS#11
; module (x64, and x86 in the x86 subdirectory) and opgp-tool, with an uninstaller.
; Silent: setup.exe /S [/D=DIR]; uninstall.exe /S.
;   makensis -DVERSION=0.1.0 -DX64=<mingw64 build> -DX86=<mingw32 build> -DOUTFILE=setup.exe opgp.nsi
; (the native build's target opgp_windows_installer does this).
Unicode true
Target amd64-unicode
!include "LogicLib.nsh"
!include "opgp-cards.nsh"

!ifndef VERSION | X64 | X86 | OUTFILE
  !error "define VERSION, X64, X86 and OUTFILE"
!endif
!define CALAIS "SOFTWARE\Microsoft\Cryptography\Calais\SmartCards"
!define CALAIS_WOW64 "SOFTWARE\Wow6432Node\Microsoft\Cryptography\Calais\SmartCards"
!define UNINSTALL_KEY "SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\opgp"

Name "opgp ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\opgp"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "opgp"
VIAddVersionKey "FileDescription" "opgp installer (OpenPGP card minidriver, PKCS#11 module, opgp-tool)"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "CompanyName" "opgp"
VIAddVersionKey "LegalCopyright" "opgp"

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Section "opgp"
  SetRegView 64
  SetOutPath "$INSTDIR"
  File "${X64}/tools/opgp-tool.exe"
  File "${X64}/bridge/pkcs11/opgp-pkcs11.dll"
  SetOutPath "$INSTDIR\x86"
  File "${X86}/bridge/pkcs11/opgp-pkcs11.dll"
  ; A 64-bit installer: $SYSDIR is the real System32.
  SetOutPath "$SYSDIR"
  File "${X64}/minidriver/opgpmd.dll"
  SetOutPath "$WINDIR\SysWOW64"
  File "${X86}/minidriver/opgpmd.dll"
  !insertmacro OPGP_REGISTER_CARDS "${CALAIS}"
  !insertmacro OPGP_REGISTER_CARDS "${CALAIS_WOW64}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "opgp ${VERSION} (OpenPGP smart cards)"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "opgp"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  SetRegView 64
  !insertmacro OPGP_UNREGISTER_CARDS "${CALAIS}"
  !insertmacro OPGP_UNREGISTER_CARDS "${CALAIS_WOW64}"
  ; A DLL still loaded by a running program is removed at the next reboot.
  Delete /REBOOTOK "$SYSDIR\opgpmd.dll"
  Delete /REBOOTOK "$WINDIR\SysWOW64\opgpmd.dll"
  Delete /REBOOTOK "$INSTDIR\x86\opgp-pkcs11.dll"
  Delete /REBOOTOK "$INSTDIR\opgp-pkcs11.dll"
  Delete "$INSTDIR\opgp-tool.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR\x86"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
SectionEnd
