"""The template model: JSON and YAML trees whose every value knows its exact source span, and the functions read
from them (Globals inheritance, architectures, CodeUri, Image functions) as Amazon.Lambda.Tools sees them."""

from __future__ import annotations

import codecs
import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splitter.errors import SplitterError
from splitter.model.nodes import Node, intrinsic, parse_json
from splitter.model.yaml_events import parse_yaml
from splitter.model.template import load_template
from support import assert_spans_reparse


def load(tmp_path, name: str, text: str | bytes, parameters=None):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return load_template(path, parameters)


def by_id(template):
    return {f.logical_id: f for f in template.functions}


def source_of(template, node: Node) -> str:
    return template.source.text[node.start:node.end]


# -- JSON ------------------------------------------------------------------------------------------------------------

def test_json_spans_slice_the_exact_source_after_tabs_escapes_and_non_ascii(tmp_path):
    text = ('{\n\t"Description": "caf\\u00e9 \u00e9t\u00e9 \U0001F600 \u4e2d\u6587",\n\t"Resources": {\n'
            '\t\t"F\u00e9": {\n\t\t\t"Type": "AWS::Serverless::Function",\n\t\t\t"Properties": {\n'
            '\t\t\t\t"Handler": "A::A.\\u00e9::H",\n\t\t\t\t"CodeUri" : "src/\u00e9\U0001F600" ,\n'
            '\t\t\t\t"Architectures": [ "arm64" ]\n\t\t\t}\n\t\t}\n\t}\n}\n')
    template = load(tmp_path, "serverless.template", text)
    function = by_id(template)["F\u00e9"]
    assert source_of(template, function.property_node("CodeUri")) == '"src/\u00e9\U0001F600"'
    assert source_of(template, function.property_node("Handler")) == '"A::A.\\u00e9::H"'
    assert function.handler == "A::A.\u00e9::H"
    assert source_of(template, function.property_node("Architectures")) == '[ "arm64" ]'
    assert function.code_uri == "src/\u00e9\U0001F600"
    assert function.architecture == "arm64"
    code_uri = function.property_node("CodeUri")
    assert (code_uri.line, code_uri.column) == (8, 16)       # columns count characters, tabs as one
    assert_spans_reparse(template)


def test_json_with_bom_and_crlf_keeps_offsets_into_the_decoded_text(tmp_path):
    text = ('{\r\n  "Resources": {\r\n    "F": {\r\n      "Type": "AWS::Serverless::Function",\r\n'
            '      "Properties": {"CodeUri": "./src/F", "Handler": "F::F.G::H"}\r\n    }\r\n  }\r\n}\r\n')
    template = load(tmp_path, "serverless.template", codecs.BOM_UTF8 + text.encode())
    assert template.source.bom and template.source.newline == "\r\n"
    function = by_id(template)["F"]
    assert source_of(template, function.property_node("CodeUri")) == '"./src/F"'
    assert function.property_node("CodeUri").line == 5
    assert_spans_reparse(template)


@settings(max_examples=60, deadline=None, database=None)
@given(code_uri=st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
       prefix=st.text(st.characters(blacklist_categories=("Cs",)), max_size=8),
       ascii_only=st.booleans(), indent=st.sampled_from(["  ", "\t", "    "]), newline=st.sampled_from(["\n", "\r\n"]))
def test_json_codeuri_span_survives_any_string(code_uri, prefix, ascii_only, indent, newline):
    document = {"Description": prefix, "Resources": {"F": {"Type": "AWS::Serverless::Function",
                                                           "Properties": {"CodeUri": code_uri}}}}
    text = json.dumps(document, indent=indent, ensure_ascii=ascii_only).replace("\n", newline)
    root = parse_json(text, "t.json")
    node = root.path("Resources", "F", "Properties", "CodeUri")
    assert node.value == code_uri
    assert json.loads(text[node.start:node.end]) == code_uri
    assert text[node.start:node.end] == json.dumps(code_uri, ensure_ascii=ascii_only)


def test_json_duplicate_key_is_an_error_with_its_line(tmp_path):
    text = ('{"Resources": {\n "F": {"Type": "AWS::Serverless::Function"},\n'
            ' "F": {"Type": "AWS::Serverless::Function"}}}')
    with pytest.raises(SplitterError) as caught:
        load(tmp_path, "serverless.template", text)
    assert caught.value.line == 3 and "duplicate key 'F'" in caught.value.message


def test_json_syntax_error_names_its_line(tmp_path):
    with pytest.raises(SplitterError) as caught:
        load(tmp_path, "serverless.template", '{\n  "Resources": {\n    "F": {,\n  }\n}\n')
    assert caught.value.line == 3 and caught.value.path.name == "serverless.template"


def test_json_nested_too_deeply_is_a_user_error_not_a_recursion_error():
    with pytest.raises(SplitterError):
        parse_json('{"Resources": {"a": ' + "[" * 900 + "]" * 900 + "}}", "deep.json")


# -- YAML ------------------------------------------------------------------------------------------------------------

SHORT_TAGS_YAML = """\
# A SAM template with every short tag and comments everywhere
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}   # flow mapping
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Runtime: dotnet8
    Architectures: [arm64]  # the default for the stack
    CodeUri: ./src/Shared/
Resources:
  Plain:
    Type: AWS::Serverless::Function   # inherits everything
    Properties:
      Handler: Shared::Shared.Plain::Handle   # plain scalar, trailing comment
  Quoted:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: "./src/Shared/"  # double-quoted
      Handler: 'Shared::Shared.Quoted::Handle'
      Architectures:
        - x86_64   # block sequence, commented
        # and a comment line after it
      Environment:
        Variables:
          NAME: !Sub "${AWS::StackName}-${Stage}"
          JOINED: !Join [",", [a, !Select [0, !GetAZs ""]]]
          ARN: !GetAtt Table.Arn
          PICK: !If [IsProd, !FindInMap [M, !Ref "AWS::Region", k], !ImportValue other]
          B64: !Base64 text
          SPLIT: !Split [",", "a,b"]
          CIDR: !Cidr ["10.0.0.0/16", 2, 8]
          VALUE: !Transform {Name: X}
  Folded:
    Type: AWS::Serverless::Function
    Properties:
      Handler: >-
        Shared::Shared.Folded::Handle
      Architectures: [ "arm64" ]   # flow sequence, quoted item
"""


def test_yaml_short_tags_and_comments_are_read(tmp_path):
    template = load(tmp_path, "template.yaml", SHORT_TAGS_YAML)
    functions = by_id(template)
    assert [f.logical_id for f in template.functions] == ["Plain", "Quoted", "Folded"]
    assert (functions["Plain"].architecture, functions["Plain"].architecture_origin) == ("arm64", "globals")
    assert (functions["Quoted"].architecture, functions["Quoted"].architecture_origin) == ("x86_64", "function")
    assert (functions["Plain"].code_uri, functions["Plain"].code_uri_origin) == ("./src/Shared/", "globals")
    assert functions["Folded"].handler == "Shared::Shared.Folded::Handle"
    variables = functions["Quoted"].property_node("Environment").path("Variables")
    tags = {name: node.tag for name, node in variables.items()}
    assert tags == {"NAME": "!Sub", "JOINED": "!Join", "ARN": "!GetAtt", "PICK": "!If", "B64": "!Base64",
                    "SPLIT": "!Split", "CIDR": "!Cidr", "VALUE": "!Transform"}
    assert variables.get("ARN").plain() == {"Fn::GetAtt": "Table.Arn"}
    assert intrinsic(variables.get("PICK"))[0] == "Fn::If"
    assert template.root.path("Conditions", "IsProd").plain() == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}


def test_yaml_spans_of_spliced_values_exclude_comments_and_following_lines(tmp_path):
    template = load(tmp_path, "template.yaml", SHORT_TAGS_YAML)
    functions = by_id(template)
    expected = {
        ("Plain", "Handler"): "Shared::Shared.Plain::Handle",
        ("Quoted", "CodeUri"): '"./src/Shared/"',
        ("Quoted", "Handler"): "'Shared::Shared.Quoted::Handle'",
        ("Quoted", "Architectures"): "- x86_64",
        ("Folded", "Handler"): ">-\n        Shared::Shared.Folded::Handle",
        ("Folded", "Architectures"): '[ "arm64" ]',
    }
    for (logical_id, name), text in expected.items():
        assert source_of(template, functions[logical_id].property_node(name)) == text, (logical_id, name)
    globals_arch = template.globals_function.get("Architectures")
    assert source_of(template, globals_arch) == "[arm64]"
    assert source_of(template, globals_arch.value[0]) == "arm64"
    assert_spans_reparse(template)


SCALAR_TEXT = st.text(st.sampled_from("abcXYZ019/._-\u00e9\u4e2d\U0001F600"), min_size=1, max_size=12)


def yaml_scalar(value: str, style: str) -> str:
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False) if style == '"' else value


@settings(max_examples=60, deadline=None, database=None)
@given(code_uri=SCALAR_TEXT, handler=SCALAR_TEXT, styles=st.tuples(*[st.sampled_from(["", "'", '"'])] * 2),
       arch=st.sampled_from(["x86_64", "arm64"]), block=st.booleans(), comment=st.sampled_from(["", "   # c", " #"]),
       newline=st.sampled_from(["\n", "\r\n"]), prefix=SCALAR_TEXT)
def test_yaml_spans_survive_any_scalar_style_comment_and_line_ending(code_uri, handler, styles, arch, block, comment,
                                                                   newline, prefix):
    # A plain scalar cannot start with every character, and digits would make a number.
    code_uri, handler = "a" + code_uri, "a" + handler
    architectures = f"{newline}        - {arch}{comment}" if block else f"[{arch}]{comment}"
    lines = [f"# {prefix}", "Resources:", "  F:", "    Type: AWS::Serverless::Function", "    Properties:",
             f"      CodeUri: {yaml_scalar(code_uri, styles[0])}{comment}",
             f"      Handler: {yaml_scalar(handler, styles[1])}{comment}",
             f"      Architectures: {architectures}", "      Timeout: 3"]
    text = newline.join(lines) + newline
    properties = parse_yaml(text, "t.yaml").path("Resources", "F", "Properties")
    for name, value, style in (("CodeUri", code_uri, styles[0]), ("Handler", handler, styles[1])):
        node = properties.get(name)
        assert node.value == value
        assert text[node.start:node.end] == yaml_scalar(value, style)
    node = properties.get("Architectures")
    assert text[node.start:node.end] == (f"- {arch}" if block else f"[{arch}]")


def test_yaml_block_sequence_span_ends_at_its_last_item(tmp_path):
    text = ("Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Architectures:\n"
            "        - !Ref Arch   # z\n\n      # trailing\n      Handler: F::F.G::H\n"
            "Parameters:\n  Arch:\n    Type: String\n    Default: arm64\n")
    template = load(tmp_path, "template.yaml", text)
    function = by_id(template)["F"]
    node = function.property_node("Architectures")
    assert source_of(template, node) == "- !Ref Arch"
    assert source_of(template, node.value[0]) == "!Ref Arch"
    assert function.architecture == "arm64"
    properties = function.properties
    assert source_of(template, properties).endswith("Handler: F::F.G::H")


def test_yaml_crlf_and_bom_keep_offsets(tmp_path):
    text = ("Resources:\r\n  F:\r\n    Type: AWS::Serverless::Function\r\n    Properties:\r\n"
            "      CodeUri: src/\u00e9/   # c\r\n      Handler: |\r\n        F::F.G::H\r\n\r\n"
            "      Architectures:\r\n        - arm64\r\n")
    template = load(tmp_path, "template.yaml", codecs.BOM_UTF8 + text.encode())
    function = by_id(template)["F"]
    assert template.source.bom
    assert source_of(template, function.property_node("CodeUri")) == "src/\u00e9/"
    assert source_of(template, function.property_node("Handler")) == "|\r\n        F::F.G::H"
    assert source_of(template, function.property_node("Architectures")) == "- arm64"
    assert function.property_node("Architectures").line == 10
    assert_spans_reparse(template)


def test_yaml_anchors_and_aliases_resolve_and_aliases_are_marked(tmp_path):
    text = ("Globals:\n  Function:\n    Architectures: &arm [arm64]\nResources:\n"
            "  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: &code src/A\n"
            "      Architectures: *arm\n  B:\n    Type: AWS::Serverless::Function\n"
            "    Properties:\n      CodeUri: *code\n")
    template = load(tmp_path, "template.yaml", text)
    a, b = by_id(template)["A"], by_id(template)["B"]
    assert (a.architecture, b.architecture) == ("arm64", "arm64")
    assert a.code_uri == b.code_uri == "src/A"
    anchored, aliased = a.property_node("CodeUri"), b.property_node("CodeUri")
    assert anchored.anchor == "code" and not anchored.alias
    assert aliased.alias                     # its span is the anchored value's: never splice through it
    assert template.globals_function.get("Architectures").anchor == "arm"
    assert a.property_node("Architectures").alias


def test_yaml_alias_bomb_is_refused_fast():
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        name, previous = chr(ord("a") + i), chr(ord("a") + i - 1)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    started = time.perf_counter()
    with pytest.raises(SplitterError) as caught:
        parse_yaml("\n".join(levels) + "\n", "bomb.yaml")
    assert time.perf_counter() - started < 10.0   # generous: an expanded bomb takes hours, not seconds
    assert "too many values" in caught.value.message


def test_yaml_recursive_alias_is_an_error():
    with pytest.raises(SplitterError) as caught:
        parse_yaml("Resources: &r\n  F: *r\n", "loop.yaml")
    assert "refers to itself" in caught.value.message


def test_yaml_duplicate_key_is_an_error_with_its_line(tmp_path):
    text = ("Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      CodeUri: a\n      CodeUri: b\n")
    with pytest.raises(SplitterError) as caught:
        load(tmp_path, "template.yaml", text)
    assert caught.value.line == 6 and "CodeUri" in caught.value.message


def test_yaml_syntax_error_names_its_line(tmp_path):
    with pytest.raises(SplitterError) as caught:
        load(tmp_path, "template.yaml", "Resources:\n  F:\n    Type: [unclosed\n  G: x\n")
    assert caught.value.line is not None and caught.value.path.name == "template.yaml"


def test_serverless_template_may_hold_yaml(tmp_path):
    template = load(tmp_path, "serverless.template", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n"
                                                      "    Properties: {Handler: F::F.G::H}\n")
    assert template.format == "yaml" and by_id(template)["F"].code_uri == "."


# -- functions -------------------------------------------------------------------------------------------------------

def sam_json(resources: dict, globals_function: dict | None = None, parameters: dict | None = None) -> str:
    document: dict = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31"}
    if parameters:
        document["Parameters"] = parameters
    if globals_function is not None:
        document["Globals"] = {"Function": globals_function}
    document["Resources"] = resources
    return json.dumps(document, indent=2)


def fn(**properties) -> dict:
    return {"Type": "AWS::Serverless::Function", "Properties": properties}


def test_function_properties_override_globals_and_lambda_functions_ignore_globals(tmp_path):
    text = sam_json({
        "Inherits": fn(Handler="A::A.F::H"),
        "Overrides": fn(Handler="A::A.F::H", Architectures=["x86_64"], CodeUri="src/B"),
        "Plain": {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "C::C.F::H",
                                                                   "Code": {"S3Key": "src/C"}}},
    }, globals_function={"Architectures": ["arm64"], "CodeUri": "src/A", "Handler": "G::G.F::H"})
    functions = by_id(load(tmp_path, "serverless.template", text))
    assert (functions["Inherits"].architecture, functions["Inherits"].code_uri) == ("arm64", "src/A")
    assert functions["Inherits"].code_uri_origin == "globals"
    assert (functions["Overrides"].architecture, functions["Overrides"].code_uri) == ("x86_64", "src/B")
    assert (functions["Plain"].architecture, functions["Plain"].code_uri) == ("x86_64", "src/C")
    assert functions["Plain"].architecture_origin == "default"


@pytest.mark.parametrize("code_uri, expected", [
    (None, "."), ("", "."), (".", "."), ("./src/A/", "./src/A/"), ("src\\A", "src\\A"),
    ("s3://bucket/key.zip", None), ({"Bucket": "b", "Key": "k"}, None), ({"Fn::Sub": "${X}"}, None),
])
def test_codeuri_is_the_raw_local_path_string(tmp_path, code_uri, expected):
    properties = {"Handler": "A::A.F::H"}
    if code_uri is not None:
        properties["CodeUri"] = code_uri
    function = by_id(load(tmp_path, "serverless.template", sam_json({"F": fn(**properties)})))["F"]
    assert function.code_uri == expected


def test_yaml_null_codeuri_means_the_template_folder(tmp_path):
    text = "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri:\n      Handler: x\n"
    assert by_id(load(tmp_path, "template.yaml", text))["F"].code_uri == "."


@pytest.mark.parametrize("code, expected", [
    ({"S3Bucket": "", "S3Key": ""}, "."),                  # the Step Functions blueprint
    ({}, "."),
    ({"S3Key": "./src/A"}, "./src/A"),
    ({"S3Bucket": "my-bucket", "S3Key": "a.zip"}, None),
    ({"S3Bucket": {"Ref": "Bucket"}, "S3Key": "a.zip"}, None),
    ({"ZipFile": "exports.handler = () => 1"}, None),
    ({"S3Key": {"Ref": "Key"}}, None),
])
def test_lambda_function_code_is_built_unless_it_names_a_bucket(tmp_path, code, expected):
    text = sam_json({"F": {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "A::A.F::H", "Code": code}}})
    assert by_id(load(tmp_path, "serverless.template", text))["F"].code_uri == expected


def test_resource_without_properties_is_not_built(tmp_path):
    text = sam_json({"F": {"Type": "AWS::Lambda::Function"}})
    function = by_id(load(tmp_path, "serverless.template", text))["F"]
    assert function.code_uri is None


def test_image_functions_are_not_zip_builds(tmp_path):
    text = sam_json({
        "Img": fn(PackageType="Image", ImageUri="repo:tag", Architectures=["arm64"]),
        "ImgByUri": fn(ImageUri="123456789012.dkr.ecr.us-east-1.amazonaws.com/r:t"),
        "Zip": fn(Handler="A::A.F::H", PackageType="Zip"),
    })
    functions = by_id(load(tmp_path, "serverless.template", text))
    assert functions["Img"].package_type == functions["ImgByUri"].package_type == "Image"
    assert not functions["Img"].is_zip and functions["Img"].code_uri is None
    assert functions["Zip"].is_zip and functions["Zip"].code_uri == "."


PARAMETERS = {"Arch": {"Type": "String", "AllowedValues": ["x86_64", "arm64"]},
              "ArchWithDefault": {"Type": "String", "Default": "arm64"},
              "ArchList": {"Type": "CommaDelimitedList", "Default": "arm64"}}


@pytest.mark.parametrize("architectures, parameters, expected", [
    (None, {}, ("x86_64", None)),
    (["arm64"], {}, ("arm64", None)),
    ("arm64", {}, ("arm64", None)),
    ([{"Ref": "ArchWithDefault"}], {}, ("arm64", None)),
    ([{"Ref": "ArchWithDefault"}], {"ArchWithDefault": "x86_64"}, ("x86_64", None)),
    ({"Ref": "ArchList"}, {}, ("arm64", None)),
    ([{"Ref": "Arch"}], {"Arch": "arm64"}, ("arm64", None)),
    ([{"Ref": "Arch"}], {}, (None, "cannot be known")),
    ({"Fn::If": ["C", ["arm64"], ["x86_64"]]}, {"C": "true"}, (None, "cannot be known")),
    (["x86_64", "arm64"], {}, (None, "lists 2 values")),
    (["ARM64"], {}, (None, "Lambda knows only")),
])
def test_architecture_resolution(tmp_path, architectures, parameters, expected):
    properties = {"Handler": "A::A.F::H"}
    if architectures is not None:
        properties["Architectures"] = architectures
    text = sam_json({"F": fn(**properties)}, parameters=PARAMETERS)
    function = by_id(load(tmp_path, "serverless.template", text, parameters))["F"]
    architecture, problem = expected
    assert function.architecture == architecture
    if problem is None:
        assert function.architecture_problem is None
    else:
        assert problem in function.architecture_problem


def test_yaml_ref_short_tag_architecture_resolves_through_parameters(tmp_path):
    text = ("Parameters:\n  Arch:\n    Type: String\n    AllowedValues: [x86_64, arm64]\nGlobals:\n  Function:\n"
            "    Architectures: [!Ref Arch]\nResources:\n  F:\n    Type: AWS::Serverless::Function\n"
            "    Properties:\n      Handler: F::F.G::H\n")
    assert by_id(load(tmp_path, "template.yaml", text))["F"].architecture is None
    assert by_id(load(tmp_path, "template.yaml", text, {"Arch": "arm64"}))["F"].architecture == "arm64"


def test_not_a_template_is_refused(tmp_path):
    with pytest.raises(SplitterError) as caught:
        load(tmp_path, "template.json", '{"$schema": "https://json.schemastore.org/template", "name": "x"}')
    assert "not a CloudFormation template" in caught.value.message
