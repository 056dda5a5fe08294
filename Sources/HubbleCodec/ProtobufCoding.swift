public import GRPCCore
public import SwiftProtobuf

// gRPC message coding for the generated Hubble API: SwiftProtobuf's binary format. This is what
// grpc-swift-protobuf's GRPCProtobuf module offers; FlowMap keeps its own two types (the generator is told so with
// GRPCProtobufModuleName=HubbleCodec) because depending on grpc-swift-protobuf makes `swift build --build-tests`
// compile protoc and abseil from source for its build plugins: minutes of every cold `make test`.

/// Encodes a message for the wire.
public struct ProtobufSerializer<Message: SwiftProtobuf.Message>: MessageSerializer {
    public init() {}

    public func serialize<Bytes: GRPCContiguousBytes>(_ message: Message) throws -> Bytes {
        do {
            let bytes: [UInt8] = try message.serializedBytes()
            return Bytes(bytes)
        } catch {
            throw RPCError(code: .invalidArgument, message: "cannot encode \(Message.self)", cause: error)
        }
    }
}

/// Decodes a message from the wire; fields this schema does not declare are kept apart as unknown fields.
public struct ProtobufDeserializer<Message: SwiftProtobuf.Message>: MessageDeserializer {
    public init() {}

    public func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        do {
            return try serializedMessageBytes.withUnsafeBytes { try Message(serializedBytes: Array($0)) }
        } catch {
            throw RPCError(code: .invalidArgument, message: "cannot decode \(Message.self)", cause: error)
        }
    }
}
