import Synchronization

/// The mint's settings as they stand: the configured ones with the ledger's overrides (`SettingsOverrides`) on
/// top. Every reader sees one consistent value; the overrides change when this process saves new ones or the
/// periodic reload finds another process's.
public final class LiveSettings: Sendable {
    struct State {
        var base: MintSettings
        var overrides: SettingsOverrides
        /// The ledger version `overrides` came from (0: none).
        var version: Int64
        var current: MintSettings
    }

    private let state: Mutex<State>

    /// `base` with no overrides yet.
    public init(_ base: MintSettings) {
        state = Mutex(State(base: base, overrides: SettingsOverrides(), version: 0, current: base))
    }

    /// The effective settings.
    public var current: MintSettings { state.withLock { $0.current } }

    /// The configured settings, without overrides.
    public var base: MintSettings { state.withLock { $0.base } }

    /// The overrides in force and their ledger version.
    public var overrides: (overrides: SettingsOverrides, version: Int64) { state.withLock { ($0.overrides, $0.version) } }

    /// Puts the overrides of ledger `version` in force, unless a newer version already is (a slow reload must not
    /// undo a change saved meanwhile). Returns whether the overrides changed.
    @discardableResult
    public func apply(_ overrides: SettingsOverrides, version: Int64) -> Bool {
        state.withLock { s in
            guard version > s.version || (version == s.version && overrides != s.overrides) else { return false }
            let changed = overrides != s.overrides
            s.overrides = overrides
            s.version = version
            s.current = overrides.applied(to: s.base)
            return changed
        }
    }
}

extension LiveSettings {
    /// Reads the overrides from the ledger and puts them in force. Returns whether they changed.
    @discardableResult
    public func reload(from store: any MintStore) async throws -> Bool {
        guard let (document, version) = try await store.settingsOverrides() else { return false }
        let overrides: SettingsOverrides
        do {
            overrides = try SettingsOverrides.decode(document)
        } catch {
            throw MintStoreError(.unavailable, "the ledger's settings document (version \(version)) cannot be read: \(error)")
        }
        return apply(overrides, version: version)
    }

    /// Changes the overrides in the ledger and puts them in force here: reads the stored document, applies `change`,
    /// checks the result with `validate`, and saves it if no other process saved meanwhile (else reads again: each
    /// lost round means another writer's change went in, so this ends). Other processes pick the change up at their
    /// next reload.
    public func update(
        in store: any MintStore, now: UInt64, validate: (MintSettings) throws -> Void = { _ in },
        _ change: (inout SettingsOverrides) throws -> Void
    ) async throws {
        for _ in 0..<100 {
            var overrides = SettingsOverrides()
            var version: Int64 = 0
            if let (document, stored) = try await store.settingsOverrides() {
                overrides = try SettingsOverrides.decode(document)
                version = stored
            }
            try change(&overrides)
            try validate(overrides.applied(to: base))
            if try await store.saveSettingsOverrides(try overrides.encoded(), expected: version, at: now) {
                apply(overrides, version: version + 1)
                return
            }
        }
        throw MintStoreError(.unavailable, "the settings kept changing under this update; try again")
    }
}
