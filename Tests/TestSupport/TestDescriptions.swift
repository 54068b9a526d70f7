import CashewEncoding
import Testing

/// A vector case prints as its group and name, not as its whole JSON: CI logs stay short and a failing case is
/// easy to find.
extension JSONValue: CustomTestStringConvertible {
    public var testDescription: String {
        let name = self["name"]?.stringValue ?? self["description"]?.stringValue
        let group = self["group"]?.stringValue
        switch (group, name) {
        case let (group?, name?): return "\(group): \(name)"
        case let (nil, name?): return name
        case let (group?, nil): return "\(group): \(String(serialized.prefix(60)))…"
        case (nil, nil): return serialized.count <= 60 ? serialized : String(serialized.prefix(60)) + "…"
        }
    }
}
