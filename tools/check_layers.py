#!/usr/bin/env python3
"""Checks every #include under src/ against the layer table of ARCHITECTURE.md.

A layer is a folder under src/. A project include ("router/route_table.h") must start at src/ and
name a layer the including layer may depend on; a third-party header (<nghttp2/...>, <openssl/...>)
may appear only where the table names its library. Prints one line per violation and exits 1.

When this check fails, fix the dependency, or change the table in ARCHITECTURE.md and here in the
same commit, with the reason.

  tools/check_layers.py [--root REPO]          check REPO/src (default: this file's repository)
  tools/check_layers.py --check-doc FILE.md    check that FILE.md's layer table is this one
  tools/check_layers.py --self-test            check the checker on generated inputs
"""

import argparse
import re
import sys
import tempfile
from pathlib import Path

# The layer table of ARCHITECTURE.md ("Layers"), "May depend on", project layers only. A layer may
# always include its own headers. `--check-doc` (a ctest) fails when the two tables differ.
LAYERS = {
    "base": [],
    "io": ["base"],
    "tls": ["base", "io"],
    "http": ["base"],
    "grpcwire": ["base"],
    "config": ["base"],
    "ir": ["base"],
    "translate": ["base", "grpcwire", "config", "ir"],
    "router": ["base", "http", "ir"],
    "upstream": ["base", "io", "http"],
    "proxy": ["base", "io", "http", "grpcwire", "router", "upstream", "ir"],
    "server": ["base", "io", "tls", "http", "grpcwire", "config", "ir", "translate", "router",
               "upstream", "proxy"],
    "app": ["base", "io", "tls", "http", "grpcwire", "config", "ir", "translate", "router",
            "upstream", "proxy", "server"],
}


def _in_layers(*layers):
    return lambda rel: rel.split("/", 1)[0] in layers


# Third-party headers by include prefix: (prefixes, library, the layers whose table row names it,
# where it may appear, as said and as a predicate over the including file's path below src/).
# absl and fmt come with base, which every layer depends on. Headers not listed are the C++ and
# POSIX ones.
THIRD_PARTY = [
    (("nghttp2/",), "nghttp2", ["http"], "src/http/h2/", lambda rel: rel.startswith("http/h2/")),
    (("yaml-cpp/",), "yaml-cpp", ["config"], "src/config/yaml_reader.cc",
     lambda rel: rel == "config/yaml_reader.cc"),
    (("openssl/",), "openssl", ["tls"], "src/tls/", _in_layers("tls")),
    (("event2/", "event.h", "evhttp.h", "evdns.h", "evutil.h"), "libevent", ["io"], "src/io/",
     _in_layers("io")),
    (("grpcpp/", "grpc/", "grpc++/"), "grpc++", [], "an xds layer (none yet)", lambda rel: False),
    (("google/protobuf/",), "protobuf", [], "an xds layer (none yet)", lambda rel: False),
    (("re2/",), "re2", ["translate", "router"], "src/translate/, src/router/",
     _in_layers("translate", "router")),
    (("absl/",), "absl", ["base"], "everywhere", lambda rel: True),
    (("fmt/",), "fmt", ["base"], "everywhere", lambda rel: True),
    (("gtest/", "gmock/", "benchmark/"), "test and benchmark frameworks", [],
     "test/ and bench/ only", lambda rel: False),
    (("boost/", "spdlog/", "nlohmann/", "asio", "uv.h", "ares.h", "curl/", "yaml.h"),
     "a library the table does not name", [], "nowhere (add it to the table first)",
     lambda rel: False),
]

SOURCE_SUFFIXES = {".h", ".hh", ".hpp", ".cc", ".cpp", ".cxx", ".inc", ".ipp"}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def third_party(header):
    for prefixes, library, _, where, allowed in THIRD_PARTY:
        if any(header == p or header.startswith(p) for p in prefixes):
            return library, where, allowed
    return None


def project_layer(header):
    if header.endswith(".pb.h") or header.startswith("proto/"):
        return "proto"
    first = header.split("/", 1)[0]
    return first if first in LAYERS and "/" in header else None


def check_file(src, path):
    """Returns (number of includes, violations) for one file under src."""
    rel = path.relative_to(src).as_posix()
    layer = rel.split("/", 1)[0]
    if "/" not in rel or layer not in LAYERS:
        return 0, [f"src/{rel}:1: '{layer}' is not a layer of ARCHITECTURE.md's table; "
                   f"put the file in a layer's folder or add the layer to the table"]
    allowed = LAYERS[layer]
    count = 0
    problems = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE_RE.match(line)
            if not m:
                continue
            count += 1
            quote, header = m.groups()
            where = f"src/{rel}:{number}"
            shown = f'"{header}"' if quote == '"' else f"<{header}>"
            tp = third_party(header)
            if tp:
                library, places, ok = tp
                if not ok(rel):
                    problems.append(f"{where}: {layer} may not include {shown}: {library} belongs "
                                    f"in {places} only")
                continue
            if quote == "<":
                continue  # the C++ library and POSIX
            target = project_layer(header)
            if target is None:
                if (path.parent / header).exists():
                    hint = f'write it from src/, e.g. "{(path.parent / header).resolve().relative_to(src.resolve()).as_posix()}"'
                else:
                    hint = "project includes start with a layer's folder"
                problems.append(f"{where}: {shown} does not name a layer; {hint}")
                continue
            if target == layer:
                continue
            if target not in allowed:
                may = ", ".join(allowed) if allowed else "nothing but std, absl and fmt"
                problems.append(f"{where}: {layer} may not include {shown} (layer {target}); "
                                f"{layer} may depend on: {may}")
    return count, problems


def check_tree(root):
    src = Path(root) / "src"
    if not src.is_dir():
        return 0, 0, [f"{src}: no such directory"]
    files = sorted(p for p in src.rglob("*") if p.is_file() and p.suffix in SOURCE_SUFFIXES)
    includes = 0
    problems = []
    for path in files:
        count, found = check_file(src, path)
        includes += count
        problems.extend(found)
    return len(files), includes, problems


def _cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _names(text):
    """'`base`, io · libevent (`h2/` only)' -> (['base', 'io'], ['libevent'])."""
    ours, _, theirs = text.partition("·")
    split = lambda part: [re.sub(r"\(.*?\)", "", n).replace("`", "").strip().lower()
                          for n in part.split(",")]
    return [n for n in split(ours) if n], [n for n in split(theirs) if n]


def read_doc_table(path):
    """The layer table of ARCHITECTURE.md: {layer: (layers, third-party libraries)}."""
    rows = {}
    in_table = False
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            if rows:
                break
            in_table = False
            continue
        cells = _cells(line)
        if cells[0] == "Layer" and any("May depend on" in c for c in cells):
            in_table = True
            continue
        if not in_table or set(cells[0]) <= set("-: "):
            continue
        layer = cells[0].replace("`", "").split()[0]
        text = cells[-1].replace("`", "")
        earlier = list(rows)
        except_m = re.match(r"\s*everything above except ([^·]*)(·.*)?$", text)
        if except_m:
            excluded = {n.strip() for n in except_m.group(1).split(",")}
            deps = [d for d in earlier if d not in excluded]
            libraries = _names(except_m.group(2) or "")[1]
        else:
            deps, libraries = _names(text)
            if deps in (["all of the above"], ["everything above"], ["everything"]):
                deps = earlier
        # A name before the dot that is no layer above ("std, absl, fmt") is a library.
        libraries += [d for d in deps if d not in earlier and d != "std"]
        deps = [d for d in deps if d in earlier]
        rows[layer] = (deps, libraries)
    return rows


def check_doc(path):
    """Differences between LAYERS/THIRD_PARTY and the table in the document at path."""
    doc = read_doc_table(path)
    if not doc:
        return [f"{path}: no table with the columns 'Layer' and 'May depend on'"]
    differences = []
    ours_libraries = {layer: sorted(lib for _, lib, layers, _, _ in THIRD_PARTY if layer in layers)
                      for layer in LAYERS}
    for layer in sorted(set(doc) | set(LAYERS)):
        if layer not in doc:
            differences.append(f"layer {layer} is in check_layers.py but not in {path}")
            continue
        if layer not in LAYERS:
            differences.append(f"layer {layer} is in {path} but not in check_layers.py")
            continue
        deps, libraries = doc[layer]
        if sorted(deps) != sorted(LAYERS[layer]):
            differences.append(f"{layer}: {path} says it may depend on {', '.join(deps) or '-'}; "
                               f"check_layers.py says {', '.join(LAYERS[layer]) or '-'}")
        if sorted(libraries) != ours_libraries[layer]:
            differences.append(f"{layer}: {path} names the libraries {', '.join(libraries) or '-'};"
                               f" check_layers.py {', '.join(ours_libraries[layer]) or '-'}")
    return differences


def self_test():
    """Checks the checker: a tree with one allowed and one forbidden include of each kind."""
    cases = {
        # path: (content, expected number of violations)
        "base/log.cc": ('#include "base/log.h"\n#include <fmt/format.h>\n#include <vector>\n', 0),
        "base/log.h": ('#pragma once\n#include <absl/status/status.h>\n#include "absl/types/span.h"\n',
                       0),
        "base/bad.cc": ('#include "io/event_loop.h"\n', 1),
        "io/event_loop.cc": ('#include "base/log.h"\n#include <event2/event.h>\n', 0),
        "http/codec.h": ("#include <nghttp2/nghttp2.h>\n", 1),
        "http/h2/session.cc": ('#include "http/codec.h"\n#include <nghttp2/nghttp2.h>\n', 0),
        "grpcwire/status.cc": ('#include "base/log.h"\n#include "http/headers.h"\n', 1),
        "config/yaml_reader.cc": ("#include <yaml-cpp/yaml.h>\n", 0),
        "config/loader.cc": ('#include <yaml-cpp/yaml.h>\n#include "ir/config.h"\n', 2),
        "tls/context.cc": ('#include <openssl/ssl.h>\n#include "io/connection.h"\n', 0),
        "proxy/forwarder.cc": ('#include "tls/context.h"\n#include "router/route_table.h"\n', 1),
        "proxy/local.cc": ('#include "forwarder.h"\n', 1),
        "router/route_table.cc": ("#include <re2/re2.h>\n", 0),
        "upstream/pool.cc": ("#include <re2/re2.h>\n#include <openssl/ssl.h>\n", 2),
        "server/server.cc": ('#include "proxy/forwarder.h"\n#include <event2/event.h>\n', 1),
        "app/main.cc": ('#include "server/server.h"\n#include "nowhere/rule.h"\n'
                        "#include <grpcpp/grpcpp.h>\n#include <sys/socket.h>\n", 2),
        "translate/t.cc": ("#include <gtest/gtest.h>\n#include <boost/any.hpp>\n", 2),
        "util/helpers.cc": ('#include "base/log.h"\n', 1),
    }
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        for rel, (content, _) in cases.items():
            path = src / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
        (src / "proxy/forwarder.h").write_text("#pragma once\n")
        for rel, (_, expected) in cases.items():
            _, found = check_file(src, src / rel)
            if len(found) != expected:
                failures.append(f"{rel}: expected {expected} violation(s), got {len(found)}: {found}")
        files, _, problems = check_tree(tmp)
        total = sum(expected for _, expected in cases.values())
        if len(problems) != total or files != len(cases) + 1:
            failures.append(f"tree: expected {total} violations in {len(cases) + 1} files, got "
                            f"{len(problems)} in {files}")
        # The document check: a table written from LAYERS matches; one changed row does not.
        rows = ["| Layer | Owns | May depend on |", "|---|---|---|"]
        for layer, deps in LAYERS.items():
            libs = [lib for _, lib, layers, _, _ in THIRD_PARTY if layer in layers]
            text = ", ".join(f"`{d}`" for d in deps) or "std"
            rows.append(f"| `{layer}` | things | {text}{' · ' + ', '.join(libs) if libs else ''} |")
        doc = Path(tmp) / "ARCHITECTURE.md"
        doc.write_text("# x\n\n" + "\n".join(rows) + "\n\nafter\n")
        if check_doc(doc):
            failures.append(f"doc: a table written from LAYERS differs: {check_doc(doc)}")
        doc.write_text("\n".join(r.replace("`io`, `http` |", "`io`, `http`, `tls` |")
                                 for r in rows) + "\n")
        if len(check_doc(doc)) != 1:
            failures.append(f"doc: one changed row gave {check_doc(doc)}")
    for failure in failures:
        print(f"check_layers self-test: {failure}")
    print(f"check_layers self-test: {len(cases)} cases, {len(failures)} failed")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent),
                        help="repository root (default: this script's repository)")
    parser.add_argument("--self-test", action="store_true", help="check the checker")
    parser.add_argument("--check-doc", metavar="ARCHITECTURE_MD",
                        help="compare this script's table with the document's and exit")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if args.check_doc:
        differences = check_doc(args.check_doc)
        for difference in differences:
            print(f"check_layers: {difference}")
        if differences:
            print("check_layers: change the table in ARCHITECTURE.md and in tools/check_layers.py "
                  "together")
            return 1
        print(f"check_layers: the table matches {args.check_doc}")
        return 0
    files, includes, problems = check_tree(args.root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_layers: {len(problems)} violation(s) in {files} files; see the layer table "
              f"of ARCHITECTURE.md")
        return 1
    print(f"check_layers: {files} files, {includes} includes, no violation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
