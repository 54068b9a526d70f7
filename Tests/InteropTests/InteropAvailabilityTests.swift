import TestSupport
import Testing

@Suite("Interop availability")
struct InteropAvailabilityTests {
    /// The README's test command sets CASHEW_REQUIRE_INTEROP=1: then a missing nutshell install is a failure, so the
    /// interop suites cannot be skipped silently.
    @Test("nutshell is installed when the interop tests are required")
    func nutshellPresent() {
        #expect(!Interop.required || Interop.available, "nutshell venv missing: run scripts/install-nutshell.sh")
    }
}
