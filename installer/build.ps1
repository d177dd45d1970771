# Build the Windows installer: PyInstaller one-folder bundle, then NSIS setup.exe.
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1 [-Python py] [-SkipTests]
# Needs: 64-bit Python 3.11 (py launcher), NSIS 3 (makensis on PATH or in Program Files).
# Output: dist\ChuangchengDesk\ (the bundle) and dist\ChuangchengDesk-<version>-setup.exe.
param(
    [string]$Python = "py -3.11",
    [switch]$SkipTests
)
$ErrorActionPreference = "Stop"
$Root = Resolve-Path (Join-Path $PSScriptRoot "..")
Set-Location $Root

function Invoke-Step([string]$What, [scriptblock]$Block) {
    Write-Host "== $What"
    $watch = [Diagnostics.Stopwatch]::StartNew()
    & $Block
    if ($LASTEXITCODE -ne 0) { throw "$What 失败（退出码 $LASTEXITCODE）" }
    Write-Host ("   {0:N1} 秒" -f $watch.Elapsed.TotalSeconds)
}

$Venv = Join-Path $Root ".venv-build"
$Py = Join-Path $Venv "Scripts\python.exe"
Invoke-Step "准备构建环境 $Venv" {
    if (-not (Test-Path $Py)) { Invoke-Expression "$Python -m venv `"$Venv`"" }
    & $Py -m pip install --upgrade pip
    $requirements = & $Py scripts\requirements.py --test
    & $Py -m pip install $requirements pyinstaller
}

if (-not $SkipTests) {
    Invoke-Step "运行测试" { $env:QT_QPA_PLATFORM = "offscreen"; & $Py -m pytest -q -p no:faulthandler }
}

$Version = (& $Py installer\version_info.py --version).Trim()
Invoke-Step "PyInstaller 构建 $Version" {
    & $Py -m PyInstaller --noconfirm --clean --distpath dist --workpath build\pyinstaller installer\chuangcheng.spec
}

Invoke-Step "检查打包程序" {
    $out = & dist\ChuangchengDesk\chuangcheng-cli.exe --version
    if ($out -ne "创城工作台 $Version") { throw "打包程序 --version 输出：$out" }
    $data = Join-Path $env:TEMP "chuangcheng-build-check"
    if (Test-Path $data) { Remove-Item -Recurse -Force $data }
    & dist\ChuangchengDesk\chuangcheng-cli.exe --data $data demo
    & dist\ChuangchengDesk\chuangcheng-cli.exe --data $data screenshots (Join-Path $Root "build\screenshots")
}

$Makensis = (Get-Command makensis -ErrorAction SilentlyContinue).Source
if (-not $Makensis) { $Makensis = Join-Path ${env:ProgramFiles(x86)} "NSIS\makensis.exe" }
if (-not (Test-Path $Makensis)) { throw "没有找到 makensis：请安装 NSIS 3（https://nsis.sourceforge.io）" }
$Setup = Join-Path $Root "dist\ChuangchengDesk-$Version-setup.exe"
Invoke-Step "NSIS 安装程序" {
    & $Makensis -V2 -INPUTCHARSET UTF8 "-DVERSION=$Version" "-DDIST_DIR=$(Join-Path $Root 'dist\ChuangchengDesk')" `
        "-DOUT_FILE=$Setup" installer\chuangcheng.nsi
}

$bundle = (Get-ChildItem -Recurse dist\ChuangchengDesk | Measure-Object -Sum Length).Sum / 1MB
$setupSize = (Get-Item $Setup).Length / 1MB
Write-Host ("完成：{0}（{1:N1} MB；程序文件夹 {2:N0} MB）" -f $Setup, $setupSize, $bundle)
