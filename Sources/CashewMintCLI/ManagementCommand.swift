import ArgumentParser

/// `cashew-mint management certificates`: how to make the management API's mutual-TLS certificates.
struct ManagementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "management", abstract: "The management API (nutshell's gRPC protocol, driven by its mint-cli).",
        subcommands: [Certificates.self], defaultSubcommand: Certificates.self)

    struct Certificates: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the openssl commands that make the CA, server and client certificates.")
        @Option(help: "Directory the commands write to.") var dir = "./management-tls"
        @Option(help: "Name clients use to reach the management API (goes into the server certificate).") var host = "localhost"
        @Option(help: "Days the certificates are valid.") var days = 825

        func run() throws {
            let d = dir.replacingOccurrences(of: "'", with: "'\\''")
            print("""
                # The management API takes only clients with a certificate signed by this CA. Keep ca_private.pem offline.
                mkdir -p '\(d)' && cd '\(d)' && umask 077
                openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca_private.pem
                openssl req -x509 -new -key ca_private.pem -sha256 -days \(days) -subj "/CN=cashew management CA" -out ca_cert.pem
                # The server's certificate (management_cert_file, management_key_file).
                openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server_private.pem
                openssl req -new -key server_private.pem -subj "/CN=\(host)" -out server.csr
                printf 'subjectAltName=DNS:\(host),IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > server.ext
                openssl x509 -req -in server.csr -CA ca_cert.pem -CAkey ca_private.pem -CAcreateserial -days \(days) -sha256 -extfile server.ext -out server_cert.pem
                # One client certificate per operator (for mint-cli: --ca-cert-path, --client-key-path, --client-cert-path).
                openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out client_private.pem
                openssl req -new -key client_private.pem -subj "/CN=operator" -out client.csr
                printf 'extendedKeyUsage=clientAuth\\n' > client.ext
                openssl x509 -req -in client.csr -CA ca_cert.pem -CAkey ca_private.pem -CAcreateserial -days \(days) -sha256 -extfile client.ext -out client_cert.pem
                rm -f server.csr client.csr server.ext client.ext ca_cert.srl

                # Then, in the mint's settings:
                #   management_port = 8086
                #   management_ca_file = "\(dir)/ca_cert.pem"
                #   management_cert_file = "\(dir)/server_cert.pem"
                #   management_key_file = "\(dir)/server_private.pem"
                # and drive it with nutshell's mint-cli:
                #   mint-cli -h \(host) -p 8086 -ca \(dir)/ca_cert.pem -k \(dir)/client_private.pem -c \(dir)/client_cert.pem get-info
                """)
        }
    }
}
