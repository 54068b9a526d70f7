import CashewEncoding
import CashewNostr
import Foundation
import Secp256k1
import Testing

/// NIP-01 event IDs and signatures, and NIP-59 gift wraps: the NIP's own example unwraps to its rumor.
@Suite("Nostr events and NIP-59 gift wraps")
struct NIP59Tests {
    // The example of NIP-59 (github:nostr-protocol/nips 59.md): the keys, and the gift wrap it shows.
    static let authorKey = "0beebd062ec8735f4243466049d7747ef5d6594ee838de147f8aab842b15e273"
    static let recipientKey = "e108399bd8424357a710b606ae0c13166d853d327e47a6e5e038197346bdbf45"
    static let wrap = NostrEvent(
        id: "5c005f3ccf01950aa8d131203248544fb1e41a0d698e846bd419cec3890903ac",
        pubkey: "18b1a75918f1f2c90c23da616bce317d36e348bcf5f7ba55e75949319210c87c", createdAt: 1_703_021_488, kind: 1059,
        tags: [["p", "166bf3765ebd1fc55decfe395beff2ea3b2a4e0a8946e7eb578512b555737c99"]],
        content: "AhC3Qj/QsKJFWuf6xroiYip+2yK95qPwJjVvFujhzSguJWb/6TlPpBW0CGFwfufCs2Zyb0JeuLmZhNlnqecAAalC4ZCugB+I9ViA5pxLyFfQjs1lcE6KdX3euCHBLAnE9GL/+IzdV9vZnfJH6atVjvBkNPNzxU+OLCHO/DAPmzmMVx0SR63frRTCz6Cuth40D+VzluKu1/Fg2Q1LSst65DE7o2efTtZ4Z9j15rQAOZfE9jwMCQZt27rBBK3yVwqVEriFpg2mHXc1DDwHhDADO8eiyOTWF1ghDds/DxhMcjkIi/o+FS3gG1dG7gJHu3KkGK5UXpmgyFKt+421m5o++RMD/BylS3iazS1S93IzTLeGfMCk+7IKxuSCO06k1+DaasJJe8RE4/rmismUvwrHu/HDutZWkvOAhd4z4khZo7bJLtiCzZCZ74lZcjOB4CYtuAX2ZGpc4I1iOKkvwTuQy9BWYpkzGg3ZoSWRD6ty7U+KN+fTTmIS4CelhBTT15QVqD02JxfLF7nA6sg3UlYgtiGw61oH68lSbx16P3vwSeQQpEB5JbhofW7t9TLZIbIW/ODnI4hpwj8didtk7IMBI3Ra3uUP7ya6vptkd9TwQkd/7cOFaSJmU+BIsLpOXbirJACMn+URoDXhuEtiO6xirNtrPN8jYqpwvMUm5lMMVzGT3kMMVNBqgbj8Ln8VmqouK0DR+gRyNb8fHT0BFPwsHxDskFk5yhe5c/2VUUoKCGe0kfCcX/EsHbJLUUtlHXmTqaOJpmQnW1tZ/siPwKRl6oEsIJWTUYxPQmrM2fUpYZCuAo/29lTLHiHMlTbarFOd6J/ybIbICy2gRRH/LFSryty3Cnf6aae+A9uizFBUdCwTwffc3vCBae802+R92OL78bbqHKPbSZOXNC+6ybqziezwG+OPWHx1Qk39RYaF0aFsM4uZWrFic97WwVrH5i+/Nsf/OtwWiuH0gV/SqvN1hnkxCTF/+XNn/laWKmS3e7wFzBsG8+qwqwmO9aVbDVMhOmeUXRMkxcj4QreQkHxLkCx97euZpC7xhvYnCHarHTDeD6nVK+xzbPNtzeGzNpYoiMqxZ9bBJwMaHnEoI944Vxoodf51cMIIwpTmmRvAzI1QgrfnOLOUS7uUjQ/IZ1Qa3lY08Nqm9MAGxZ2Ou6R0/Z5z30ha/Q71q6meAs3uHQcpSuRaQeV29IASmye2A2Nif+lmbhV7w8hjFYoaLCRsdchiVyNjOEM4VmxUhX4VEvw6KoCAZ/XvO2eBF/SyNU3Of4SO",
        sig: "35fabdae4634eb630880a1896a886e40fd6ea8a60958e30b89b33a93e6235df750097b04f9e13053764251b8bc5dd7e8e0794a3426a90b6bcc7e5ff660f54259")

    @Test("the NIP-59 example: its gift wrap verifies and unwraps to the rumor, by the author, with the rumor's own id")
    func specExample() throws {
        try Self.wrap.verify()
        let opened = try NIP59.unwrap(Self.wrap, recipient: try Scalar(hex: Self.recipientKey))
        #expect(opened.rumor.content == "Are you going to the party tonight?")
        #expect(opened.rumor.kind == 1 && opened.rumor.createdAt == 1_691_518_405)
        #expect(opened.rumor.id == "9dd003c6d3b73b74a85a9ab099469ce251653a7af76f523671ab828acd2a0ef9")
        #expect(opened.author == "611df01bfcf85c26ae65453b772d8f1dfd25c264621c0277e1fc1518686faef9")
        #expect(opened.author == Hex.encode(try Scalar(hex: Self.authorKey).publicPoint.xOnly))
        // Anyone else's key opens nothing.
        #expect(throws: (any Error).self) { _ = try NIP59.unwrap(Self.wrap, recipient: Scalar.random()) }
    }

    @Test("wrap then unwrap: content with escapes and non-ASCII survives; a changed wrap or a forged author is refused")
    func roundTrip() throws {
        let (alice, bob) = (Scalar.random(), Scalar.random())
        let bobKey = Hex.encode(try bob.publicPoint.xOnly)
        let text = "pay me\n\"now\"\t\\ — 5 sat ✓"
        let rumor = NostrEvent(pubkey: Hex.encode(try alice.publicPoint.xOnly), createdAt: 1_800_000_000, kind: 14, tags: [["p", bobKey]], content: text)
        let wrapped = try NIP59.wrap(rumor, author: alice, recipient: bobKey, now: 1_800_000_000)
        #expect(wrapped.kind == 1059 && wrapped.tags == [["p", bobKey]] && wrapped.pubkey != rumor.pubkey)
        #expect(wrapped.createdAt <= 1_800_000_000 && wrapped.createdAt >= 1_800_000_000 - 2 * 86_400)
        let opened = try NIP59.unwrap(try NostrEvent(json: wrapped.json), recipient: bob)
        #expect(opened.rumor == rumor && opened.rumor.content == text)
        var changed = wrapped
        changed.content = String(changed.content.dropLast(4)) + "AAA="
        #expect(throws: (any Error).self) { _ = try NIP59.unwrap(changed, recipient: bob) }
        // Mallory seals a rumor claiming to be Alice's: refused at wrapping (and the unwrap check stands behind it).
        #expect(throws: NostrEvent.Failure.self) { _ = try NIP59.wrap(rumor, author: Scalar.random(), recipient: bobKey, now: 1_800_000_000) }
        // An event whose content was changed after signing fails its id check.
        var tampered = try NostrEvent.signed(secretKey: alice, createdAt: 1, kind: 1, content: "a")
        try tampered.verify()
        tampered.content = "b"
        #expect(throws: NostrEvent.Failure.self) { try tampered.verify() }
    }
}

extension NostrEvent {
    init(id: String, pubkey: String, createdAt: UInt64, kind: Int, tags: [[String]], content: String, sig: String) {
        self.init(pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content)
        self.id = id
        self.sig = sig
    }
}
