import Emit
import FlowIngest
import FlowMapView
import FlowModel
import Inference
import Policy

// The stage types the CLI names (option values and their enums). The CLI imports FlowMapKit only; these aliases
// are the whole of what it sees of the stages besides the verbs' results.
public typealias EvaluatorOptions = Policy.EvaluatorOptions
public typealias HostNetworkMode = Policy.EvaluatorOptions.HostNetworkMode
public typealias CiliumOptions = Policy.CiliumOptions
public typealias CiliumEnforcement = Policy.CiliumOptions.Enforcement
public typealias InputFormat = FlowIngest.InputFormat
public typealias InputIssue = FlowModel.InputIssue
public typealias EmitOptions = Emit.EmitOptions
public typealias PolicyFlavor = Emit.EmitOptions.Flavor
public typealias PolicyLayout = Emit.EmitOptions.Layout
public typealias ClusterBaselineKind = Emit.ClusterBaseline.Kind
public typealias InferenceOptions = Inference.InferenceOptions
public typealias DNSMode = Inference.InferenceOptions.DNSMode
public typealias SelectorMode = Inference.InferenceOptions.SelectorMode
public typealias Timestamp = FlowModel.Timestamp
public typealias TimeWindow = FlowModel.TimeWindow
public typealias RelativeTime = FlowModel.RelativeTime
public typealias TerminalText = FlowModel.TerminalText
public typealias MermaidRenderer = FlowMapView.MermaidRenderer
