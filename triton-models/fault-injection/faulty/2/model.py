"""Version 2 of the fault-injection model: version 1's code (see ../1/model.py), so a canary
between the two differs only by the faults the control file gives each version."""

import importlib.util
import os

_SPEC = importlib.util.spec_from_file_location(
    "faulty_version_1", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "1", "model.py")
)
_MODULE = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_MODULE)

TritonPythonModel = _MODULE.TritonPythonModel
