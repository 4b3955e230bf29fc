"""Issue 14: who uses a type is decided by how the compiler binds names, not by matching words. A constant named
like a handler class, a class of the same simple name in another namespace, a member access's right side never
keep a type in the library; a typeof, a generic argument, an attribute, an alias or a `using static` always do,
and the reason names the use with its file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invariants import git_run
from splitter.changes import patch
from splitter.changes.patch import _hunks
from splitter.graph.symbols import SymbolIndex
from splitter.model.csharp import parse_file
from annotated_shop import shop
from support import REPO_ROOT, apply_hunks, run_cli

CSPROJ = """<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
    <AWSProjectType>Lambda</AWSProjectType>
    <PublishReadyToRun>true</PublishReadyToRun>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Amazon.Lambda.Core" Version="2.5.0" />
  </ItemGroup>
</Project>
"""


def handler(namespace: str, name: str, body: str = "", usings: str = "") -> str:
    return (f"using System;\n{usings}\nnamespace {namespace}\n{{\n    public class {name}\n    {{\n"
            f"        public string Handle(string input) {{ {body}return input; }}\n    }}\n}}\n")


def template(functions: list[tuple[str, str, str]]) -> str:
    resources = ",\n".join(
        f'    "{logical}": {{\n      "Type": "AWS::Serverless::Function",\n      "Properties": {{\n'
        f'        "Handler": "App::{type_name}::Handle",\n        "Runtime": "dotnet8",\n        "CodeUri": ".",\n'
        f'        "Architectures": ["{arch}"]\n      }}\n    }}' for logical, type_name, arch in functions)
    return ('{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Transform": "AWS::Serverless-2016-10-31",\n'
            '  "Resources": {\n' + resources + "\n  }\n}\n")


TWO_FUNCTIONS = [("OrdersFunction", "Shop.Orders.Function", "x86_64"),
                 ("BillingFunction", "Shop.Billing.Function", "arm64")]


def repo(tmp_path: Path, sources: dict[str, str], functions=TWO_FUNCTIONS) -> Path:
    root = tmp_path / "repo"
    files = {"App.csproj": CSPROJ, "serverless.template": template(functions),
             "Orders/Function.cs": handler("Shop.Orders", "Function"),
             "Billing/Function.cs": handler("Shop.Billing", "Function"), **sources}
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    git_run(root, "init", "-q")
    git_run(root, "add", "-A")
    git_run(root, "commit", "-qm", "init")
    return root


def migrate(root: Path, capsys, *extra) -> tuple[int, str]:
    code, _, err = run_cli("migrate", *extra, root)
    return code, err


def index_of(tmp_path: Path, sources: dict[str, str]) -> SymbolIndex:
    files = []
    for rel, text in sources.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        files.append(parse_file(path, lazy=True))
    return SymbolIndex(files)


def users(index: SymbolIndex, full_name: str) -> list[str]:
    decl = index.declared(full_name)
    return [f"{u.file.path.name}:{u.line}" for u in index.uses_of(decl)]


# -- binding -----------------------------------------------------------------------------------------------------

ORDERS = "namespace Shop.Orders\n{\n    public class Function { }\n}\n"
BILLING = "namespace Shop.Billing\n{\n    public class Function { }\n}\n"
KEYS = "namespace Shop\n{\n    public static class Keys\n    {\n        public const string Function = \"f\";\n    }\n}\n"


def test_a_constant_named_like_a_type_and_a_member_name_use_no_type(tmp_path):
    user = ("namespace Shop.Common\n{\n    public class Startup\n    {\n        public string Function { get; set; }\n"
            "        public string Read(string Function) { return Keys.Function + this.Function; }\n"
            "        // new Function()\n        public string Text = \"Function\";\n"
            "        public void Call() { Read(Function: \"x\"); }\n    }\n}\n")
    index = index_of(tmp_path, {"Orders.cs": ORDERS, "Keys.cs": KEYS, "Startup.cs": user})
    assert users(index, "Shop.Orders.Function") == []
    assert users(index, "Shop.Keys") == ["Startup.cs:6"]


def test_a_member_of_the_enclosing_type_hides_a_type_of_its_name_in_an_expression(tmp_path):
    user = ("namespace Shop.Billing\n{\n    public class Audit\n    {\n        public string Function { get; set; }\n"
            "        public int Size() { return Function.Length; }\n        public string Name() { return Function; }\n"
            "        public object Make() { return new Function(); }\n    }\n}\n")
    index = index_of(tmp_path, {"Billing.cs": BILLING, "Audit.cs": user})
    # `Function.Length` and `return Function` read the property; `new Function()` is the type
    assert users(index, "Shop.Billing.Function") == ["Audit.cs:8"]


def test_a_parameter_or_local_named_like_a_type_hides_it_in_an_expression(tmp_path):
    user = ("using System;\nusing System.Collections.Generic;\nnamespace Shop.Billing\n{\n    public class Audit\n    {\n"
            "        public int A(string Function) { return Function.Length; }\n"
            "        public int B() { var Function = \"x\"; return Function.Length; }\n"
            "        public Func<string, int> C() { return Function => Function.Length; }\n"
            "        public int D(List<string> all) { foreach (var Function in all) { return Function.Length; } return 0; }\n"
            "        public string E() { try { return \"\"; } catch (Exception Function) { return Function.Message; } }\n"
            "        public object F(string Function) { return new Function(); }\n"
            "        public int G() { return Function.Count; }\n    }\n}\n")
    index = index_of(tmp_path, {"Billing.cs": BILLING, "Audit.cs": user})
    # A-E read the parameter or local; F creates the type (a type position); G, outside any of them, is the type
    assert users(index, "Shop.Billing.Function") == ["Audit.cs:12", "Audit.cs:13"]


def test_a_simple_name_binds_to_its_own_namespace_before_another(tmp_path):
    user = "namespace Shop.Billing\n{\n    public class Invoice\n    {\n        Function f = new Function();\n    }\n}\n"
    index = index_of(tmp_path, {"Orders.cs": ORDERS, "Billing.cs": BILLING, "Invoice.cs": user})
    assert users(index, "Shop.Billing.Function") == ["Invoice.cs:5", "Invoice.cs:5"]
    assert users(index, "Shop.Orders.Function") == []


@pytest.mark.parametrize("code, line", [
    ("using Shop.Orders;\nnamespace Shop.Common\n{\n    class U\n    {\n        object T() { return typeof(Function); }\n"
     "    }\n}\n", 6),
    ("using System.Collections.Generic;\nusing Shop.Orders;\nnamespace Shop.Common\n{\n    class U\n    {\n"
     "        List<Function> all = null;\n    }\n}\n", 7),
    ("using Fn = Shop.Orders.Function;\nnamespace Shop.Common\n{\n    class U\n    {\n        object o = new Fn();\n"
     "    }\n}\n", 6),
    ("namespace Shop.Common\n{\n    class U\n    {\n        object o = global::Shop.Orders.Function.Make();\n    }\n}\n",
     5),
    ("namespace Shop.Common\n{\n    class U\n    {\n        object o = Orders.Function.Make();\n    }\n}\n", 5),
    ("using static Shop.Outer;\nnamespace Shop.Common\n{\n    class U\n    {\n        Inner i;\n    }\n}\n", 6),
    ("using Shop.Orders;\nnamespace Shop.Common\n{\n    [Function]\n    class U { }\n}\n", 4),
    ("namespace Shop.Common\n{\n    class U\n    {\n        object o = System.Type.GetType(\"Shop.Orders.Function\");\n"
     "    }\n}\n", 5),
    # the directive alone needs the type: the compiler rejects `using static`/an alias whose target is missing
    ("using static Shop.Orders.Function;\nnamespace Shop.Common\n{\n    class U { }\n}\n", 1),
    ("using Fn = Shop.Orders.Function;\nnamespace Shop.Common\n{\n    class U { }\n}\n", 1),
    ("namespace Shop.Common\n{\n    using static Orders.Function;\n    class U { }\n}\n", 3),
])
def test_uses_that_bind_are_found_with_their_line(tmp_path, code, line):
    outer = "namespace Shop\n{\n    public class Outer\n    {\n        public class Inner { }\n    }\n}\n"
    index = index_of(tmp_path, {"Orders.cs": ORDERS, "Outer.cs": outer, "U.cs": code})
    found = users(index, "Shop.Outer.Inner" if "Inner" in code else "Shop.Orders.Function")
    assert found[:1] == [f"U.cs:{line}"]


def test_a_directive_naming_a_handler_keeps_it_and_says_so(tmp_path, capsys):
    lib = "using static Shop.Orders.Function;\nnamespace Shop.Common\n{\n    public class Lib { }\n}\n"
    root = repo(tmp_path, {"Common/Lib.cs": lib})
    code, err = migrate(root, capsys)
    assert code == 0, err
    assert "Common/Lib.cs:1: a using directive of Lib.cs uses Shop.Orders.Function " \
           "(using static Shop.Orders.Function;)" in err
    assert (root / "Orders/Function.cs").is_file()          # stays in the library, which still compiles
    assert not (root / "Billing/Function.cs").exists()


def test_file_level_code_is_named_for_what_it_is(tmp_path):
    user = ("using System.Collections.Generic;\nusing Orders = System.Collections.Generic.List<Shop.Orders.Function>;\n"
            "[assembly: Shop.Orders.Function]\nnamespace Shop.Common\n{\n    class U { }\n}\n")
    index = index_of(tmp_path, {"Orders.cs": ORDERS, "U.cs": user})
    described = [u.describe("uses it") for u in index.uses_of(index.declared("Shop.Orders.Function"))]
    assert [d.split(": ", 1)[1].split(" uses")[0] for d in described] == \
        ["a using directive of U.cs", "an assembly attribute of U.cs"]


def test_a_name_two_imported_namespaces_declare_is_used_with_the_reason(tmp_path):
    user = ("using Shop.Orders;\nusing Shop.Billing;\nnamespace Shop.Common\n{\n    class U\n    {\n"
            "        Function f;\n    }\n}\n")
    index = index_of(tmp_path, {"Orders.cs": ORDERS, "Billing.cs": BILLING, "U.cs": user})
    for name in ("Shop.Orders.Function", "Shop.Billing.Function"):
        (use,) = index.uses_of(index.declared(name))
        assert "ambiguous" in use.note and use.line == 7


def test_only_files_holding_an_asked_word_are_walked(tmp_path):
    sources = {"Orders.cs": ORDERS, "Keys.cs": KEYS}
    sources.update({f"Other{n}.cs": f"namespace Shop\n{{\n    class Other{n} {{ }}\n}}\n" for n in range(5)})
    index = index_of(tmp_path, sources)
    index.uses_of(index.declared("Shop.Orders.Function"))
    walked = {Path(f.path).name for f in index.files if id(f) in index._symbols}
    parsed = {Path(f.path).name for f in index.files if f.parsed}
    # Orders.cs names Function only inside its own declaration: nothing there can use it from outside
    assert walked == {"Keys.cs"}
    assert parsed == {"Orders.cs", "Keys.cs"}


# -- migrate ---------------------------------------------------------------------------------------------------------

def test_two_handlers_of_one_name_and_a_constant_named_like_them_both_move(tmp_path, capsys):
    keys = ("namespace Shop\n{\n    public static class Keys\n    {\n        public const string Function = \"f\";\n"
            "    }\n    public class Report\n    {\n        public string Name() { return Keys.Function; }\n    }\n}\n")
    root = repo(tmp_path, {"Keys.cs": keys})
    code, err = migrate(root, capsys)
    assert code == 0, err
    assert (root / "App.X64" / "Orders" / "Function.cs").is_file()
    assert (root / "App.Arm64" / "Billing" / "Function.cs").is_file()
    assert "Shop.Orders.Function moves to App.X64" in err and "Shop.Billing.Function moves to App.Arm64" in err


@pytest.mark.parametrize("code, line, text", [
    ("using System;\nnamespace Shop\n{\n    public class Registry\n    {\n"
     "        public Type Kind() { return typeof(Shop.Orders.Function); }\n    }\n}\n", 6, "typeof(Shop.Orders.Function)"),
    ("using System.Collections.Generic;\nusing Shop.Orders;\nnamespace Shop\n{\n    public class Registry\n    {\n"
     "        public List<Function> All = new List<Function>();\n    }\n}\n", 7, "<Function>"),
    ("using Fn = Shop.Orders.Function;\nnamespace Shop\n{\n    public class Registry\n    {\n"
     "        public object Make() { return new Fn(); }\n    }\n}\n", 6, "new Fn()"),
])
def test_a_type_used_through_typeof_a_generic_or_an_alias_stays_and_says_where(tmp_path, capsys, code, line, text):
    root = repo(tmp_path, {"Registry.cs": code})
    status, err = migrate(root, capsys, "--dry-run")
    assert status == 0, err
    assert (f"Shop.Orders.Function stays in App: Registry.cs:{line}: Shop.Registry uses Shop.Orders.Function "
            f"({text}") in err
    assert "Shop.Billing.Function moves to App.Arm64" in err


def test_the_split_compiles_when_a_constant_shares_a_handler_name(tmp_path, capsys):
    from dotnet_compile import assert_compiles, require_mcs
    require_mcs()
    keys = ("namespace Shop\n{\n    public static class Keys\n    {\n        public const string Function = \"f\";\n"
            "    }\n}\n")
    user = ("using System;\nusing static Shop.Keys;\nnamespace Shop.Common\n{\n    public class Report\n    {\n"
            "        public string Name() { return Function + Keys.Function + typeof(Keys).Name; }\n    }\n}\n")
    root = repo(tmp_path, {"Keys.cs": keys, "Common/Report.cs": user})
    code, err = migrate(root, capsys)
    assert code == 0, err
    assert (root / "App.X64" / "Orders" / "Function.cs").is_file()
    assert_compiles(root)


# -- property: colliding names across namespaces -------------------------------------------------------------------

NAMESPACES = ("Shop.Orders", "Shop.Billing", "Shop")


@st.composite
def solutions(draw):
    """Handlers named Function in two namespaces, and a library class in a third that refers to one of them in a
    way that binds, or names `Function` in a way that does not."""
    home = draw(st.sampled_from(NAMESPACES[:2]))
    binds = draw(st.booleans())
    if binds:
        body = draw(st.sampled_from([
            f"object o = new {home}.Function();", f"System.Type t = typeof(global::{home}.Function);",
            f"object o = ({home}.Function)null;"]))
    else:
        body = draw(st.sampled_from([
            "string s = Keys.Function;", "string s = \"Function\";", "// Function\n        int Function = 1;",
            "string s = nameof(Keys.Function);"]))
    return home, binds, body


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(solutions())
def test_a_reference_that_binds_keeps_its_type_and_one_that_does_not_never_does(tmp_path_factory, capsys, case):
    home, binds, body = case
    tmp_path = tmp_path_factory.mktemp("case")
    keys = ("namespace Shop\n{\n    public static class Keys\n    {\n        public const string Function = \"f\";\n"
            "    }\n    public class Report\n    {\n        public void Run()\n        {\n            " + body +
            "\n        }\n    }\n}\n")
    root = repo(tmp_path, {"Keys.cs": keys})
    code, err = migrate(root, capsys, "--dry-run")
    assert code == 0, err
    for namespace, project in (("Shop.Orders", "App.X64"), ("Shop.Billing", "App.Arm64")):
        stays = binds and namespace == home
        assert (f"{namespace}.Function stays in App: Keys.cs:" in err) == stays, err
        assert (f"{namespace}.Function moves to {project}" in err) == (not stays), err


# -- the patch diff --------------------------------------------------------------------------------------------------

def test_anchored_diff_of_a_long_template_is_fast_and_exact(monkeypatch):
    before = b"".join(b'    "F%d": {\n      "CodeUri": ".",\n      "Handler": "A::B%d::H"\n    },\n' % (n, n)
                      for n in range(3000))
    after = before.replace(b'"CodeUri": ".",\n      "Handler": "A::B1', b'"CodeUri": "X",\n      "Handler": "A::B1')
    hunks = _hunks(before, after)
    assert apply_hunks(before, hunks) == after
    assert hunks.count(b"\n-") == len(re.findall(rb'"F1\d*"', before))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([b"{\n", b"}\n", b"x\n", b"y\n", b"z\n"]), max_size=40),
       st.lists(st.tuples(st.integers(0, 40), st.integers(0, 3),
                          st.lists(st.sampled_from([b"{\n", b"}\n", b"q\n", b"r\n"]), max_size=3)), max_size=5))
def test_anchored_diff_rebuilds_the_new_text(base, edits):
    before = b"".join(base) + b"".join(b"u%d\n" % n for n in range(10))
    lines = re.findall(rb"[^\n]*\n", before)
    for at, removed, added in edits:
        lines[min(at, len(lines)):min(at, len(lines)) + removed] = added
    after = b"".join(lines)
    limit = patch.DIFFLIB_LIMIT
    patch.DIFFLIB_LIMIT = 0
    try:
        assert apply_hunks(before, _hunks(before, after)) == after
    finally:
        patch.DIFFLIB_LIMIT = limit


# -- Amazon.Lambda.Annotations: what stays in the library may not use what leaves, by binding -------------------

KEYS_NAMED_LIKE_THE_CLASS = ("namespace Shop\n{\n    public static class ServiceKeys\n    {\n"
                             "        public const string Functions = \"functions\";\n    }\n\n    public class Report\n"
                             "    {\n        public string Name()\n        {\n            return ServiceKeys.Functions;\n"
                             "        }\n    }\n}\n")


def test_a_library_class_reading_a_constant_named_like_the_functions_class_does_not_refuse(tmp_path):
    startup = ("using Amazon.Lambda.Annotations;\nusing Microsoft.Extensions.DependencyInjection;\n\nnamespace Shop\n"
               "{\n    [LambdaStartup]\n    public class Startup\n    {\n"
               "        public void ConfigureServices(IServiceCollection services)\n        {\n"
               "            services.AddSingleton<IClock, Clock>();\n            var key = ServiceKeys.Functions;\n"
               "        }\n    }\n}\n")
    root = shop(tmp_path, {"src/Shop/Keys.cs": KEYS_NAMED_LIKE_THE_CLASS, "src/Shop/Startup.cs": startup})
    code, err = migrate(root, None)
    assert code == 0, err


def test_a_library_class_that_names_the_functions_class_in_typeof_refuses_at_the_use(tmp_path):
    user = ("using System;\n\nnamespace Shop\n{\n    public class Report\n    {\n        public Type Kind()\n"
            "        {\n            return typeof(Functions);\n        }\n    }\n}\n")
    root = shop(tmp_path, {"src/Shop/Report.cs": user})
    code, err = migrate(root, None)
    assert code == 2
    assert "Report.cs:9: Shop.Report uses Shop.Functions, which leaves Shop" in err
    assert "(typeof(Functions))" in err


def test_members_read_on_first_use_are_those_a_full_read_gives(tmp_path):
    path = tmp_path / "A.cs"
    path.write_text("namespace N\n{\n    public static class A\n    {\n        [X] public static int F = 1, G;\n"
                    "        public static string Shout(this string s) { return s; }\n"
                    "        public class B\n        {\n            public B() { }\n        }\n    }\n}\n")
    lazy, full = parse_file(path), parse_file(path, members=True)
    assert "_members" not in lazy.types[0].__dict__
    for one, other in zip(lazy.all_types(), full.all_types()):
        assert [(m.kind, m.names, m.attributes, m.start, m.end, m.uses) for m in one.members] == \
            [(m.kind, m.names, m.attributes, m.start, m.end, m.uses) for m in other.members]
        assert [(m.name, m.extension) for m in one.methods] == [(m.name, m.extension) for m in other.methods]
    assert lazy.types[0].methods[0].extension


def test_the_query_pass_finds_what_the_tree_walk_finds():
    from splitter.model.symbols import read_symbols
    root = REPO_ROOT
    sources = sorted((root / "fixtures").rglob("*.cs"))[:400] + sorted((root / "tests").rglob("*.cs"))[:50]
    assert sources
    for path in sources:
        cs = parse_file(path)
        walked, queried = read_symbols(cs, walk=True), read_symbols(cs)
        assert sorted(queried.references, key=repr) == sorted(walked.references, key=repr), path
        # the query also sees the inner names of a chain (`context.Logger.Log`: Logger), which the walk skips
        assert set(walked.members) <= set(queried.members), path
        assert queried.strings == walked.strings, path
        interesting = {d.name for d in cs.all_types()} | {"Shop", "Functions", "Amazon", "Task", "Keys"}
        walked, queried = read_symbols(cs, interesting, walk=True), read_symbols(cs, interesting)
        assert sorted(queried.references, key=repr) == sorted(walked.references, key=repr), path


def test_a_global_alias_in_one_file_is_a_use_in_another(tmp_path):
    aliases = "global using Fn = Shop.Orders.Function;\n"
    user = "namespace Shop.Common\n{\n    class U\n    {\n        object o = new Fn();\n    }\n}\n"
    index = index_of(tmp_path, {"Orders.cs": ORDERS, "Usings.cs": aliases, "U.cs": user})
    # the directive needs the type too (the compiler rejects an alias of a missing type, used or not)
    assert users(index, "Shop.Orders.Function") == ["Usings.cs:1", "U.cs:5"]
