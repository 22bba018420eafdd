# Validates TOML files against a JSON Schema (Draft 2020-12): `python schema_check.py SCHEMA FILE...`;
# prints "checked N bad M" and the first errors of each file. Used by tests/cli.rs.
import json, sys, tomllib, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = 0
for f in sys.argv[2:]:
    doc = tomllib.load(open(f, 'rb'))
    errs = list(v.iter_errors(doc))
    for e in errs[:3]:
        print(f, list(e.path), e.message[:200]); bad += 1
print("checked", len(sys.argv)-2, "bad", bad)
