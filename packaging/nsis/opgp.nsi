; opgp for 64-bit Windows: the minidriver (x64 in System32, x86 in SysWOW64 for 32-bit programs),
; registered for the OpenPGP cards of inf/cards.txt (the entries of inf/opgpmd.reg), the PKCS#11
; module and the CryptoAPI CSP (x64, and x86 in the x86 subdirectory; the CSP registered as
; bridge/csp/opgpcsp.reg does, in both registry views), the CNG KSP when the builds have one
; (bridge/ksp: opgpksp.dll in System32/SysWOW64, registered as opgpksp.reg does), and opgp-tool,
; with an uninstaller.
; Silent: setup.exe /S [/D=DIR]; uninstall.exe /S.
;   makensis -DVERSION=0.1.0 -DX64=<mingw64 build> -DX86=<mingw32 build> -DOUTFILE=setup.exe
;            [-DSIGN=<signing command>] opgp.nsi
; (the native build's target opgp_windows_installer does this). SIGN, when defined, is run on the
; uninstaller as NSIS writes it (the build signs setup.exe itself afterwards).
Unicode true
Target amd64-unicode
!include "LogicLib.nsh"
!include "opgp-cards.nsh"

!ifndef VERSION | X64 | X86 | OUTFILE
  !error "define VERSION, X64, X86 and OUTFILE"
!endif
!ifdef SIGN
  !uninstfinalize '"${SIGN}" "%1"'
!endif
; The KSP is another engineer's target that may not be built yet: ship it only when both builds
; have it.
!if /FileExists "${X64}/bridge/ksp/opgpksp.dll"
  !if /FileExists "${X86}/bridge/ksp/opgpksp.dll"
    !define HAVE_KSP
  !endif
!endif
!define CALAIS "SOFTWARE\Microsoft\Cryptography\Calais\SmartCards"
!define CALAIS_WOW64 "SOFTWARE\Wow6432Node\Microsoft\Cryptography\Calais\SmartCards"
!define UNINSTALL_KEY "SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\opgp"
; bridge/csp/opgpcsp.reg's key; the x86 CSP is registered in the WOW64 view.
!define CSP_KEY "SOFTWARE\Microsoft\Cryptography\Defaults\Provider\opgp OpenPGP CSP"
!define CSP_KEY_WOW64 "SOFTWARE\Wow6432Node\Microsoft\Cryptography\Defaults\Provider\opgp OpenPGP CSP"
; bridge/ksp/opgpksp.reg's key (CNG providers live in the SYSTEM hive, one view for both).
!define KSP_KEY "SYSTEM\CurrentControlSet\Control\Cryptography\Providers\opgp OpenPGP Key Storage Provider"

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
  File "${X64}/bridge/csp/opgpcsp.dll"
  SetOutPath "$INSTDIR\x86"
  File "${X86}/bridge/pkcs11/opgp-pkcs11.dll"
  File "${X86}/bridge/csp/opgpcsp.dll"
  ; A 64-bit installer: $SYSDIR is the real System32.
  SetOutPath "$SYSDIR"
  File "${X64}/minidriver/opgpmd.dll"
  SetOutPath "$WINDIR\SysWOW64"
  File "${X86}/minidriver/opgpmd.dll"
  !insertmacro OPGP_REGISTER_CARDS "${CALAIS}"
  !insertmacro OPGP_REGISTER_CARDS "${CALAIS_WOW64}"
  ; The CSP, as opgpcsp.reg registers it (PROV_RSA_FULL), with the installed paths.
  WriteRegStr HKLM "${CSP_KEY}" "Image Path" "$INSTDIR\opgpcsp.dll"
  WriteRegDWORD HKLM "${CSP_KEY}" "Type" 1
  WriteRegDWORD HKLM "${CSP_KEY}" "SigInFile" 0
  WriteRegStr HKLM "${CSP_KEY_WOW64}" "Image Path" "$INSTDIR\x86\opgpcsp.dll"
  WriteRegDWORD HKLM "${CSP_KEY_WOW64}" "Type" 1
  WriteRegDWORD HKLM "${CSP_KEY_WOW64}" "SigInFile" 0
!ifdef HAVE_KSP
  ; The KSP as bridge/ksp/opgpksp.reg registers it, but both builds: x64 in System32, x86 in
  ; SysWOW64, and "Image" a bare name, which each kind of process resolves in its own system
  ; directory (the SYSTEM hive has no WOW64 view to give the x86 DLL a path of its own).
  SetOutPath "$SYSDIR"
  File "${X64}/bridge/ksp/opgpksp.dll"
  SetOutPath "$WINDIR\SysWOW64"
  File "${X86}/bridge/ksp/opgpksp.dll"
  WriteRegStr HKLM "${KSP_KEY}\UM" "Image" "opgpksp.dll"
  ; REG_MULTI_SZ "KEY_STORAGE": the one function class of NCRYPT_KEY_STORAGE_INTERFACE (00010001).
  WriteRegMultiStr /REGEDIT5 HKLM "${KSP_KEY}\UM\00010001" "Functions" \
    4b,00,45,00,59,00,5f,00,53,00,54,00,4f,00,52,00,41,00,47,00,45,00,00,00,00,00
  WriteRegDWORD HKLM "${KSP_KEY}\UM\00010001" "Flags" 0
!endif
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
  DeleteRegKey HKLM "${CSP_KEY}"
  DeleteRegKey HKLM "${CSP_KEY_WOW64}"
!ifdef HAVE_KSP
  DeleteRegKey HKLM "${KSP_KEY}"
  Delete /REBOOTOK "$SYSDIR\opgpksp.dll"
  Delete /REBOOTOK "$WINDIR\SysWOW64\opgpksp.dll"
!endif
  ; A DLL still loaded by a running program is removed at the next reboot.
  Delete /REBOOTOK "$SYSDIR\opgpmd.dll"
  Delete /REBOOTOK "$WINDIR\SysWOW64\opgpmd.dll"
  Delete /REBOOTOK "$INSTDIR\x86\opgp-pkcs11.dll"
  Delete /REBOOTOK "$INSTDIR\opgp-pkcs11.dll"
  Delete /REBOOTOK "$INSTDIR\x86\opgpcsp.dll"
  Delete /REBOOTOK "$INSTDIR\opgpcsp.dll"
  Delete "$INSTDIR\opgp-tool.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR\x86"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
SectionEnd
