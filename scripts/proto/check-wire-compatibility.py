"""Checks Protos/ against the descriptors of a stock client: every message, field, enum value and
method declared here must exist in the tritonclient wheel's (or grpcio-health-checking's / the
standard health protocol's) descriptors with the same number, type and cardinality. Fields and
calls left out are fine (a subset); a mismatch is not. Exits non-zero naming each mismatch.

Usage: python check-wire-compatibility.py  (protoc on PATH; run from the repository root)
"""

import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2
from tritonclient.grpc import model_config_pb2, service_pb2

PROTOS = ["inference/grpc_service.proto", "inference/model_config.proto"]


def ours():
    with tempfile.NamedTemporaryFile(suffix=".pb") as out:
        subprocess.run(
            ["protoc", "-I", "Protos", "--include_imports", f"--descriptor_set_out={out.name}", *PROTOS],
            check=True,
        )
        files = descriptor_pb2.FileDescriptorSet()
        files.ParseFromString(open(out.name, "rb").read())
        return files


def reference_message(full_name):
    for module in (service_pb2, model_config_pb2):
        pool = module.DESCRIPTOR.pool
        try:
            return pool.FindMessageTypeByName(full_name)
        except KeyError:
            continue
    return None


def reference_enum(full_name):
    try:
        return service_pb2.DESCRIPTOR.pool.FindEnumTypeByName(full_name)
    except KeyError:
        return None


def check_message(message, prefix, problems):
    full_name = f"{prefix}.{message.name}"
    reference = reference_message(full_name)
    if reference is None:
        problems.append(f"{full_name}: no such message in tritonclient")
        return
    for field in message.field:
        theirs = reference.fields_by_name.get(field.name)
        if theirs is None:
            problems.append(f"{full_name}.{field.name}: no such field in tritonclient")
            continue
        if theirs.number != field.number:
            problems.append(f"{full_name}.{field.name}: number {field.number}, tritonclient has {theirs.number}")
        if theirs.type != field.type:
            problems.append(f"{full_name}.{field.name}: type {field.type}, tritonclient has {theirs.type}")
        repeated = field.label == descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED
        if repeated != theirs.is_repeated:
            problems.append(f"{full_name}.{field.name}: repeated={repeated}, tritonclient differs")
        if field.type_name and theirs.message_type is not None:
            if field.type_name.lstrip(".") != theirs.message_type.full_name:
                problems.append(f"{full_name}.{field.name}: message type {field.type_name} differs")
        if field.type_name and theirs.enum_type is not None:
            if field.type_name.lstrip(".") != theirs.enum_type.full_name:
                problems.append(f"{full_name}.{field.name}: enum type {field.type_name} differs")
        ours_oneof = message.oneof_decl[field.oneof_index].name if field.HasField("oneof_index") else None
        theirs_oneof = theirs.containing_oneof.name if theirs.containing_oneof else None
        if ours_oneof != theirs_oneof:
            problems.append(f"{full_name}.{field.name}: oneof {ours_oneof}, tritonclient has {theirs_oneof}")
    for enum in message.enum_type:
        check_enum(enum, full_name, problems)
    for nested in message.nested_type:
        check_message(nested, full_name, problems)


def check_enum(enum, prefix, problems):
    full_name = f"{prefix}.{enum.name}"
    reference = reference_enum(full_name)
    if reference is None:
        problems.append(f"{full_name}: no such enum in tritonclient")
        return
    for value in enum.value:
        theirs = reference.values_by_name.get(value.name)
        if theirs is None or theirs.number != value.number:
            problems.append(f"{full_name}.{value.name}: value {value.number} differs from tritonclient")


def main():
    problems = []
    checked = 0
    for file in ours().file:
        if file.name not in PROTOS:
            continue
        for message in file.message_type:
            check_message(message, file.package, problems)
            checked += 1
        for enum in file.enum_type:
            check_enum(enum, file.package, problems)
        for service in file.service:
            reference = service_pb2.DESCRIPTOR.services_by_name.get(service.name)
            for method in service.method:
                theirs = reference.methods_by_name.get(method.name) if reference else None
                if theirs is None:
                    problems.append(f"{service.name}/{method.name}: no such method in tritonclient")
                    continue
                if method.input_type.lstrip(".") != theirs.input_type.full_name:
                    problems.append(f"{service.name}/{method.name}: input type differs")
                if method.output_type.lstrip(".") != theirs.output_type.full_name:
                    problems.append(f"{service.name}/{method.name}: output type differs")
    for problem in problems:
        print(f"wire mismatch: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"proto: {checked} top-level messages and their fields match tritonclient's descriptors")


if __name__ == "__main__":
    main()
