; 创城工作台 — Windows installer (NSIS 3, Modern UI 2, Simplified Chinese).
;
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DDIST_DIR=..\dist\ChuangchengDesk -DOUT_FILE=..\dist\setup.exe installer\chuangcheng.nsi
;
; Per-user install by default (%LOCALAPPDATA%\Programs, no administrator rights, no UAC prompt);
; "为这台电脑的所有用户安装" installs under Program Files and asks for elevation only then.
; Command line:  /S silent   /ALLUSERS per-machine   /CURRENTUSER per-user   /D=folder (last)
; Uninstaller:   /S silent   /DELETEDATA also delete the user's data (never by default)
; Installing over an older version keeps the install mode and folder; the data folder
; (%LOCALAPPDATA%\ChuangchengDesk) is never inside the install folder, and the program migrates
; the database on its first start (after copying it to backups\).

!ifndef VERSION
  !error "缺少 -DVERSION=x.y.z（build.ps1 从 core/__init__.py 读取）"
!endif
!ifndef DIST_DIR
  !error "缺少 -DDIST_DIR=PyInstaller 输出文件夹（dist\ChuangchengDesk）"
!endif
!ifndef OUT_FILE
  !define OUT_FILE "ChuangchengDesk-${VERSION}-setup.exe"
!endif
!ifndef VERSION4
  !define VERSION4 "${VERSION}.0"
!endif
; The official Windows NSIS ships only x86 stubs: a 32-bit installer for the 64-bit program is
; the normal case. Debian's NSIS also has amd64 stubs, which wine64 can run (installer/check_linux.sh).
!ifdef TARGET_AMD64
  Target amd64-unicode
!else
  Unicode true
!endif

!define APP_NAME "创城工作台"
!define APP_ID "ChuangchengDesk"
!define APP_EXE "ChuangchengDesk.exe"
!define PUBLISHER "创城工作台"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define SETTINGS_KEY "Software\ChuangchengDesk"   ; QSettings (last folders, font size)
!define DATA_FOLDER_NAME "ChuangchengDesk"         ; platformdirs.user_data_dir, see core/paths.py
; makensis runs in this folder, so relative paths start here ("/" works on Windows too).
!define ICON_FILE "../resources/icons/app.ico"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "nsDialogs.nsh"
!include "FileFunc.nsh"
!include "x64.nsh"
!include "WinVer.nsh"

Name "${APP_NAME}"
OutFile "${OUT_FILE}"
RequestExecutionLevel user
SetCompressor /SOLID lzma
ManifestDPIAware true
BrandingText "${APP_NAME} ${VERSION}"
InstallDir "$LOCALAPPDATA\Programs\${APP_ID}"
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=2052 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APP_NAME} 安装程序"
VIAddVersionKey /LANG=2052 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "${PUBLISHER}"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"

Var AllUsers          ; 1 = per-machine
Var ModeFixed         ; 1 = chosen on the command line or by an earlier install: no page
Var RadioCurrentUser
Var RadioAllUsers
Var DeleteData        ; uninstaller: 1 = also delete the user's data
Var DeleteDataBox

!define MUI_ICON "${ICON_FILE}"
!define MUI_UNICON "${ICON_FILE}"
!define MUI_ABORTWARNING
!define MUI_ABORTWARNING_TEXT "确定要退出${APP_NAME}安装程序吗？"
!define MUI_WELCOMEPAGE_TEXT "安装向导将在这台电脑上安装${APP_NAME} ${VERSION}。$\r$\n$\r$\n默认只为当前用户安装，不需要管理员权限。已安装旧版本时会原地升级，原有数据全部保留，程序首次启动时自动升级数据库（升级前自动备份）。$\r$\n$\r$\n安装前请先关闭正在运行的${APP_NAME}。"
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_TEXT "立即运行${APP_NAME}"
!define MUI_FINISHPAGE_RUN_FUNCTION LaunchAsShellUser

!insertmacro MUI_PAGE_WELCOME
Page custom InstallModePage InstallModePageLeave
!define MUI_PAGE_CUSTOMFUNCTION_PRE SkipDirectoryOnUpgrade
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
UninstPage custom un.DeleteDataPage un.DeleteDataPageLeave
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"

; ---------------------------------------------------------------- helpers

!macro SelectContext
  ${If} $AllUsers == 1
    SetShellVarContext all
  ${Else}
    SetShellVarContext current
  ${EndIf}
!macroend

; Sets $0 to 1 when this process runs with administrator rights (an elevated token).
!macro IsElevated
  UserInfo::GetAccountType
  Pop $0
  ${If} $0 == "Admin"
    StrCpy $0 1
  ${Else}
    StrCpy $0 0
  ${EndIf}
!macroend

; Reads the folder of an earlier install into $INSTDIR and its mode into $AllUsers.
Function FindEarlierInstall
  ${If} ${RunningX64}
    SetRegView 64
  ${EndIf}
  ReadRegStr $0 HKCU "${UNINSTALL_KEY}" "InstallLocation"
  ${If} $0 != ""
    StrCpy $INSTDIR $0
    StrCpy $AllUsers 0
    StrCpy $ModeFixed 1
    Return
  ${EndIf}
  ReadRegStr $0 HKLM "${UNINSTALL_KEY}" "InstallLocation"
  ${If} $0 != ""
    StrCpy $INSTDIR $0
    StrCpy $AllUsers 1
    StrCpy $ModeFixed 1
  ${EndIf}
FunctionEnd

; ---------------------------------------------------------------- installer

Function .onInit
  ${IfNot} ${AtLeastWin10}
    MessageBox MB_ICONSTOP "${APP_NAME}需要 Windows 10 或更高版本。" /SD IDOK
    Abort
  ${EndIf}
  ; Qt 6 runs on Windows 10 1809 (build 17763) and later; older builds crash at start.
  ${IfNot} ${AtLeastBuild} 17763
    ${WinVerGetBuild} $0
    MessageBox MB_ICONSTOP "${APP_NAME}需要 Windows 10 1809（内部版本 17763）或更高版本，这台电脑的 Windows 内部版本是 $0。$\r$\n请先通过“设置 → 更新和安全 → Windows 更新”升级系统，再安装${APP_NAME}。" /SD IDOK
    SetErrorLevel 1150 ; ERROR_OLD_WIN_VERSION, for IT scripts running /S
    Abort
  ${EndIf}
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${APP_NAME}需要 64 位 Windows。" /SD IDOK
    Abort
  ${EndIf}
  StrCpy $AllUsers 0
  StrCpy $ModeFixed 0
  Call FindEarlierInstall
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/ALLUSERS" $R1
  ${IfNot} ${Errors}
    StrCpy $AllUsers 1
    StrCpy $ModeFixed 1
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/CURRENTUSER" $R1
  ${IfNot} ${Errors}
    StrCpy $AllUsers 0
    StrCpy $ModeFixed 1
  ${EndIf}
  ${If} $AllUsers == 1
    !insertmacro IsElevated
    ${If} $0 != 1
      ${If} ${Silent}
        ; A silent per-machine install cannot prompt: IT runs it from an elevated prompt.
        SetErrorLevel 740
        Quit
      ${EndIf}
      Call RelaunchElevated
    ${EndIf}
    ReadRegStr $0 HKLM "${UNINSTALL_KEY}" "InstallLocation"
    ${If} $0 == ""
      StrCpy $INSTDIR "$PROGRAMFILES64\${APP_ID}"
    ${EndIf}
  ${EndIf}
FunctionEnd

; Starts this installer again "as administrator" in per-machine mode and ends this one.
Function RelaunchElevated
  ExecShell "runas" "$EXEPATH" "/ALLUSERS"
  ${If} ${Errors}
    MessageBox MB_ICONEXCLAMATION "没有获得管理员权限，将改为只为当前用户安装。"
    StrCpy $AllUsers 0
    StrCpy $INSTDIR "$LOCALAPPDATA\Programs\${APP_ID}"
    Return
  ${EndIf}
  Quit
FunctionEnd

Function InstallModePage
  ${If} $ModeFixed == 1
    Abort  ; skip the page: decided by the command line or the earlier install
  ${EndIf}
  !insertmacro MUI_HEADER_TEXT "安装方式" "选择为谁安装${APP_NAME}。"
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateRadioButton} 0 10u 100% 14u "只为我安装（推荐，不需要管理员权限）"
  Pop $RadioCurrentUser
  ${NSD_CreateLabel} 14u 26u 95% 20u "安装到 $LOCALAPPDATA\Programs\${APP_ID}，只有当前 Windows 用户能使用。"
  Pop $0
  ${NSD_CreateRadioButton} 0 56u 100% 14u "为这台电脑的所有用户安装（需要管理员权限）"
  Pop $RadioAllUsers
  ${NSD_CreateLabel} 14u 72u 95% 20u "安装到 Program Files，每个用户各自保存自己的数据。"
  Pop $0
  ${NSD_CreateLabel} 0 104u 100% 30u "无论哪种方式，数据都保存在各用户自己的文件夹（%LOCALAPPDATA%\${DATA_FOLDER_NAME}）中，卸载或升级程序不会删除数据。"
  Pop $0
  ${If} $AllUsers == 1
    ${NSD_Check} $RadioAllUsers
  ${Else}
    ${NSD_Check} $RadioCurrentUser
  ${EndIf}
  nsDialogs::Show
FunctionEnd

Function InstallModePageLeave
  ${NSD_GetState} $RadioAllUsers $0
  ${If} $0 == ${BST_CHECKED}
    StrCpy $AllUsers 1
    !insertmacro IsElevated
    ${If} $0 != 1
      Call RelaunchElevated
    ${EndIf}
    StrCpy $INSTDIR "$PROGRAMFILES64\${APP_ID}"
  ${Else}
    StrCpy $AllUsers 0
    StrCpy $INSTDIR "$LOCALAPPDATA\Programs\${APP_ID}"
  ${EndIf}
FunctionEnd

Function SkipDirectoryOnUpgrade
  ReadRegStr $0 SHCTX "${UNINSTALL_KEY}" "InstallLocation"
  ${If} $0 != ""
    Abort  ; upgrade in place: same folder as before
  ${EndIf}
FunctionEnd

; The program must not run while its files are replaced.
Function WaitUntilClosed
  ${Do}
    ClearErrors
    ${IfNot} ${FileExists} "$INSTDIR\${APP_EXE}"
      ${Break}
    ${EndIf}
    Rename "$INSTDIR\${APP_EXE}" "$INSTDIR\${APP_EXE}.upgrading"
    ${IfNot} ${Errors}
      Rename "$INSTDIR\${APP_EXE}.upgrading" "$INSTDIR\${APP_EXE}"
      ${Break}
    ${EndIf}
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${APP_NAME}正在运行。请先关闭它（包括所有窗口），然后点“重试”。" /SD IDCANCEL IDRETRY +2
    Abort "${APP_NAME}正在运行，安装已取消。"
  ${Loop}
FunctionEnd

; The finish page runs the program as the signed-in user even when the installer is elevated,
; so its data lands in that user's folder, not the administrator's.
Function LaunchAsShellUser
  Exec '"$WINDIR\explorer.exe" "$INSTDIR\${APP_EXE}"'
FunctionEnd

Section "${APP_NAME}" SecMain
  SectionIn RO
  !insertmacro SelectContext
  ${If} ${RunningX64}
    SetRegView 64
  ${EndIf}
  Call WaitUntilClosed
  ; An upgrade replaces the program files wholesale so no module of the old version lingers.
  ; Only the program's own folders: user data never lives under $INSTDIR.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${DIST_DIR}/*.*"
  File "/oname=app.ico" "${ICON_FILE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\app.ico" 0 \
    SW_SHOWNORMAL "" "${APP_NAME}：创建全国文明城市工作台账"
  CreateShortCut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\app.ico" 0 \
    SW_SHOWNORMAL "" "${APP_NAME}：创建全国文明城市工作台账"

  ; Apps & Features (SHCTX is HKCU per-user, HKLM per-machine)
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\app.ico"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  ${If} $AllUsers == 1
    WriteRegStr SHCTX "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /ALLUSERS'
    WriteRegStr SHCTX "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /ALLUSERS /S'
  ${Else}
    WriteRegStr SHCTX "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /CURRENTUSER'
    WriteRegStr SHCTX "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /CURRENTUSER /S'
  ${EndIf}
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

; ---------------------------------------------------------------- uninstaller

Function un.onInit
  StrCpy $DeleteData 0
  StrCpy $AllUsers 0
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/ALLUSERS" $R1
  ${IfNot} ${Errors}
    StrCpy $AllUsers 1
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/DELETEDATA" $R1
  ${IfNot} ${Errors}
    StrCpy $DeleteData 1
  ${EndIf}
  ${If} $AllUsers == 1
    !insertmacro IsElevated
    ${If} $0 != 1
      ${If} ${Silent}
        SetErrorLevel 740
        Quit
      ${EndIf}
      ExecShell "runas" "$INSTDIR\uninstall.exe" "/ALLUSERS"
      Quit
    ${EndIf}
  ${EndIf}
FunctionEnd

Function un.DeleteDataPage
  !insertmacro MUI_HEADER_TEXT "您的数据" "卸载程序默认保留全部数据。"
  nsDialogs::Create 1018
  Pop $0
  SetShellVarContext current
  ${NSD_CreateLabel} 0 0 100% 40u "数据文件夹 $LOCALAPPDATA\${DATA_FOLDER_NAME} 中保存着数据库、附件、备份和日志。保留它，以后重新安装${APP_NAME}时数据仍然都在。"
  Pop $0
  ${NSD_CreateCheckBox} 0 48u 100% 14u "同时永久删除我的数据（数据库、附件、备份和日志，无法恢复）"
  Pop $DeleteDataBox
  ${NSD_CreateLabel} 14u 64u 95% 30u "只删除当前用户的默认数据文件夹。用“--data”或“设置”另选的文件夹、以及备份到 U 盘的文件不会被删除。"
  Pop $0
  nsDialogs::Show
FunctionEnd

Function un.DeleteDataPageLeave
  ${NSD_GetState} $DeleteDataBox $0
  ${If} $0 == ${BST_CHECKED}
    MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "确定要永久删除全部数据吗？此操作无法撤销。" IDYES +2
    Abort
    StrCpy $DeleteData 1
  ${Else}
    StrCpy $DeleteData 0
  ${EndIf}
FunctionEnd

Section "Uninstall"
  !insertmacro SelectContext
  ${If} ${RunningX64}
    SetRegView 64
  ${EndIf}
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$DESKTOP\${APP_NAME}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\chuangcheng-cli.exe"
  Delete "$INSTDIR\app.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"  ; only if empty: never remove files the program did not install
  DeleteRegKey SHCTX "${UNINSTALL_KEY}"

  ${If} $DeleteData == 1
    SetShellVarContext current
    RMDir /r "$LOCALAPPDATA\${DATA_FOLDER_NAME}"
    DeleteRegKey HKCU "${SETTINGS_KEY}"
    DetailPrint "已删除数据文件夹 $LOCALAPPDATA\${DATA_FOLDER_NAME}"
  ${Else}
    SetShellVarContext current
    DetailPrint "已保留数据文件夹 $LOCALAPPDATA\${DATA_FOLDER_NAME}"
  ${EndIf}
SectionEnd
