// The façade re-exports the stage modules so the CLI (and library users) import one module.
@_exported import FlowIngest
@_exported import FlowModel
@_exported import FlowStore
@_exported import Inference
@_exported import Policy
