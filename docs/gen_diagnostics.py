# Regenerates docs/diagnostics.md from the codes in src/diagnostics.rs:
#   python3 docs/gen_diagnostics.py > docs/diagnostics.md
# (tests/ui.rs checks that every code is documented.)
import re
s = open('src/diagnostics.rs').read()
body = s[s.index('codes! {'):s.index('impl fmt::Display for Code')]
print("# Diagnostic codes\n")
print("Every diagnostic has one of these stable codes. Each has at least one example case under")
print("`tests/ui/` (syntax, check and lint cases), with its rendered output in `tests/snapshots/`.")
print("Codes under `clearance::lint` are warnings; `clearance check --deny-warnings` makes them errors.\n")
print("| code | meaning |")
print("|---|---|")
doc = None
for line in body.splitlines():
    line = line.strip()
    m = re.match(r'/// (.*)', line)
    if m:
        doc = m.group(1)
        continue
    m = re.match(r'(\w+) = "([^"]+)",', line)
    if m:
        words = doc or re.sub(r'(?<!^)([A-Z])', r' \1', m.group(1)).lower()
        print(f"| `{m.group(2)}` | {words} |")
        doc = None
