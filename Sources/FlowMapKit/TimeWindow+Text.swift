import FlowModel

extension TimeWindow {
    /// `2024-05-01T00:00:00Z .. now`, for messages.
    var text: String {
        (since.map(Timestamp.format) ?? "the beginning") + " .. " + (until.map(Timestamp.format) ?? "now")
    }
}
