import CashewEncoding
import CashuMint
import CashuProtocol
import Foundation

/// The public transparency page (Specs/audit.md, "Transparency page"): plain HTML with an inline SVG plot, no
/// scripts. `cashew-mint serve` renders it live at `/audit`; `cashew-mint audit --publish DIR` writes the same page
/// as a static file.
public struct TransparencyPage: Sendable {
    public var mintName: String?
    /// The mint's public key (the `pubkey` of `/v1/info`), hex.
    public var mintPubkey: String?
    /// Closed epochs, ascending.
    public var epochs: [SignedEpoch]
    /// The last audit's report, if one was published.
    public var report: LedgerAuditReport?
    public var generatedAt: UInt64
    /// The newest proof-of-liabilities epoch, if one was published.
    public var liabilities: LiabilityEpochRecord?

    public init(
        mintName: String?, mintPubkey: String?, epochs: [SignedEpoch], report: LedgerAuditReport?, generatedAt: UInt64, liabilities: LiabilityEpochRecord? = nil
    ) {
        self.mintName = mintName
        self.mintPubkey = mintPubkey
        self.epochs = epochs
        self.report = report
        self.generatedAt = generatedAt
        self.liabilities = liabilities
    }

    /// One point of the plot: the e-cash outstanding in a unit after an epoch (Σ issued − Σ redeemed, settled).
    public struct Point: Sendable, Hashable {
        public var epoch: UInt64
        public var time: UInt64
        public var outstanding: Int128
    }

    /// The outstanding e-cash per unit after each epoch, from the epochs' own sums.
    public var series: [String: [Point]] {
        var running = [String: Int128]()
        var series = [String: [Point]]()
        for e in epochs {
            guard let manifest = try? e.decoded else { continue }
            for (unit, t) in manifest.totals {
                running[unit, default: 0] += Int128(t.issued) - Int128(t.redeemed)
            }
            for (unit, value) in running { series[unit, default: []].append(Point(epoch: e.epoch, time: manifest.closedAt, outstanding: value)) }
        }
        return series
    }

    public var html: String {
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escape(mintName ?? "Cashew mint")): transparency</title>
            <style>
            body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
            h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
            table { border-collapse: collapse; width: 100%; font-size: 0.9rem; } td, th { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #eee; }
            code, .hex { font-family: ui-monospace, monospace; font-size: 0.8rem; word-break: break-all; }
            .clean { color: #176f2c; font-weight: bold; } .findings { color: #a4161a; font-weight: bold; }
            </style></head><body>
            <h1>\(Self.escape(mintName ?? "Cashew mint")): transparency</h1>
            <p>Mint key: <span class="hex" id="mint-pubkey">\(Self.escape(mintPubkey ?? "unknown"))</span><br>Page generated \(Self.date(generatedAt)).</p>

            """
        h += "<h2>Outstanding e-cash</h2>\n"
        let series = self.series
        if series.isEmpty {
            h += "<p>No epoch has closed yet.</p>\n"
        } else {
            for unit in series.keys.sorted() {
                let points = series[unit] ?? []
                h += "<h3>\(Self.escape(unit))</h3>\n" + Self.plot(points, unit: unit)
                if let last = points.last {
                    h += "<p id=\"outstanding-\(Self.escape(unit))\">After epoch \(last.epoch): <strong>\(last.outstanding) \(Self.escape(unit))</strong> outstanding.</p>\n"
                }
            }
        }
        h += "<h2>Last audit</h2>\n"
        if let report {
            let serious = report.findings.filter { $0.severity != .info }
            h += "<p id=\"audit-status\" class=\"\(serious.isEmpty ? "clean" : "findings")\">"
                + (serious.isEmpty ? "Clean: no findings." : "\(serious.count) findings.") + "</p>\n"
            h += "<p>Audited \(Self.date(report.generatedAt)), \(report.mode == .seed ? "by the operator, with the seed" : "without the seed")"
                + (report.checkedThroughEpoch.map { ", operations after epoch \($0)" } ?? ", every operation") + ".</p>\n"
            h += "<table><tr><th>Unit</th><th>Issued</th><th>Redeemed</th><th>Pending</th><th>Outstanding</th><th>Fees</th></tr>\n"
            for u in report.units {
                h += "<tr><td>\(Self.escape(u.unit))</td><td>\(u.issued)</td><td>\(u.redeemed)</td><td>\(u.pending)</td><td>\(u.outstanding)</td><td>\(u.fees)</td></tr>\n"
            }
            h += "</table>\n"
            if !report.findings.isEmpty {
                h += "<table id=\"findings\"><tr><th>Severity</th><th>Check</th><th>Row</th><th>Detail</th></tr>\n"
                for f in report.findings.prefix(100) {
                    h += "<tr><td>\(f.severity.rawValue)</td><td>\(f.check.rawValue)</td><td class=\"hex\">\(Self.escape(f.table)) \(Self.escape(f.key))</td><td>\(Self.escape(f.detail))</td></tr>\n"
                }
                h += "</table>\n"
            }
        } else {
            h += "<p id=\"audit-status\">No audit has been published yet.</p>\n"
        }
        h += "<h2>Epoch commitments</h2>\n"
        if epochs.isEmpty {
            h += "<p>None yet.</p>\n"
        } else {
            h += "<p>\(epochs.count) epochs. The most recent:</p>\n<table id=\"epochs\"><tr><th>Epoch</th><th>Closed</th><th>Operations</th><th>Commitment</th></tr>\n"
            for e in epochs.suffix(20).reversed() {
                let m = try? e.decoded
                h += "<tr><td>\(e.epoch)</td><td>\(m.map { Self.date($0.closedAt) } ?? "")</td><td>\(m?.operations ?? 0)</td><td class=\"hex\">\(Self.escape(e.commitment))</td></tr>\n"
            }
            h += "</table>\n"
        }
        h += "<h2>Proof of liabilities</h2>\n"
        if let l = liabilities {
            h += "<p id=\"liabilities\">Liabilities epoch \(l.epoch), closed \(Self.date(l.closedAt)); global digest <span class=\"hex\">\(Hex.encode(l.globalDigest))</span>.</p>\n"
            h += "<table id=\"liability-keysets\"><tr><th>Keyset</th><th>Unit</th><th>Issued</th><th>Redeemed</th><th>Outstanding</th><th>State</th></tr>\n"
            for k in LiabilityCommitment.sorted(l.keysets.map(\.keyset)) {
                h += "<tr><td class=\"hex\">\(Self.escape(k.id))</td><td>\(Self.escape(k.unit))</td><td>\(k.issuedRoot.sum) (\(k.issuedSize))</td>"
                    + "<td>\(k.spentRoot.sum) (\(k.spentSize))</td><td>\(k.outstanding)</td><td>\(k.active ? "active" : "locked"), until epoch \(k.deactivationEpoch)</td></tr>\n"
            }
            h += "</table>\n"
        } else {
            h += "<p id=\"liabilities\">No liabilities epoch has been published yet.</p>\n"
        }
        h += """
            <h2>How to verify</h2>
            <ol>
            <li>Fetch the epochs: <code>GET /v1/epochs</code>. Each has its manifest (the exact JSON committed to), its commitment and the mint's signature.</li>
            <li>Check each one: the commitment is the SHA-256 of the manifest's bytes; the signature is a BIP-340 signature of the commitment by the key above, which must be the <code>pubkey</code> of <code>/v1/info</code>; each manifest's <code>previous</code> is the commitment before it.</li>
            <li>Save the last commitment. Whoever holds it can hold the mint to its whole history: an auditor runs <code>cashew-mint audit --mint-pubkey KEY --trust EPOCH:COMMITMENT</code> on a copy of the ledger, and a rewritten history no longer gives that commitment.</li>
            <li>Holders of e-cash check the mint's liabilities against their own tokens with <code>cashew audit-mint</code>: it verifies every liabilities epoch (<code>GET /v1/pol/{keyset}/manifest</code>, signed by the same key), then asks for inclusion proofs (<code>POST /v1/pol/{keyset}/proofs/issued</code> and <code>…/spent</code>) and reports a blinded message of theirs missing from the issued tree, or an unspent token of theirs in the spent tree, as evidence against the mint.</li>
            </ol>
            </body></html>

            """
        return h
    }

    /// An SVG line plot of one unit's outstanding e-cash by epoch.
    static func plot(_ points: [Point], unit: String) -> String {
        let width = 800.0, height = 240.0, pad = 40.0
        guard let first = points.first else { return "" }
        // From nothing before the first epoch, so that a single epoch draws a line too.
        let points = [Point(epoch: first.epoch - 1, time: 0, outstanding: 0)] + points
        let maxValue = Double(max(points.map(\.outstanding).max() ?? 1, 1))
        let count = Double(max(points.count - 1, 1))
        var path = "", dots = ""
        for (i, p) in points.enumerated() {
            let x = pad + (width - 2 * pad) * Double(i) / count
            let y = height - pad - (height - 2 * pad) * Double(max(p.outstanding, 0)) / maxValue
            path += (i == 0 ? "M" : " L") + String(format: "%.1f %.1f", x, y)
            if i > 0, points.count <= 200 { dots += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#1f6feb\"/>", x, y) }
        }
        return """
            <svg class="plot" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="outstanding \(escape(unit)) by epoch">
            <line x1="\(pad)" y1="\(height - pad)" x2="\(width - pad)" y2="\(height - pad)" stroke="#888"/><line x1="\(pad)" y1="\(pad)" x2="\(pad)" y2="\(height - pad)" stroke="#888"/>
            <text x="\(pad)" y="\(pad - 8)" font-size="12">\(Int(maxValue)) \(escape(unit))</text><text x="\(pad)" y="\(height - pad + 16)" font-size="12">epoch \(points.first!.epoch)</text>
            <text x="\(width - pad - 60)" y="\(height - pad + 16)" font-size="12">epoch \(points.last!.epoch)</text>
            <path d="\(path)" fill="none" stroke="#1f6feb" stroke-width="2"/>\(dots)</svg>

            """
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func date(_ t: UInt64) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }
}
