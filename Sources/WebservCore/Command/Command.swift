#if canImport(Glibc)
    @_exported import Glibc
#endif

/// The `webserv` command line: `webserv [-t] [-p PREFIX] [CONFIG]`.
public enum Command {
    public static let version = "0.1.0"
    static let usage = """
        usage: webserv [-t] [-p PREFIX] [CONFIG]
          CONFIG       configuration file (default: conf/default.conf); a relative path
                       is looked for in the current directory, then under PREFIX
          -t           check the configuration and exit: "configuration ok", or the first error
          -p PREFIX    directory that relative paths in the configuration resolve against
                       (default: the current working directory)
          -h, --help   show this help
          -v, --version
                       show the version

        """

    struct Options {
        var testOnly = false
        var prefix: String?
        var config: String?
    }

    enum Parsed {
        case run(Options)
        case exit(Int32, String, toStderr: Bool)
    }

    static func parse(_ args: [String]) -> Parsed {
        var o = Options()
        var i = 1
        while i < args.count {
            let a = args[i]
            switch a {
            case "--help":
                return .exit(0, usage, toStderr: false)
            case "--version":
                return .exit(0, "webserv \(version)\n", toStderr: false)
            default:
                if a.hasPrefix("-") && a != "-" {
                    // As nginx reads them: letters may be grouped after one `-` (`-tp DIR`), and
                    // `-p`'s directory may follow it directly (`-pDIR`).
                    var letters = a.dropFirst()
                    while let letter = letters.popFirst() {
                        switch letter {
                        case "h": return .exit(0, usage, toStderr: false)
                        case "v": return .exit(0, "webserv \(version)\n", toStderr: false)
                        case "t": o.testOnly = true
                        case "p" where !letters.isEmpty:
                            o.prefix = String(letters)
                            letters = ""
                        case "p" where i + 1 < args.count:
                            i += 1
                            o.prefix = args[i]
                        case "p":
                            return .exit(1, "webserv: option \"-p\" requires a directory\n" + usage, toStderr: true)
                        default:
                            return .exit(1, "webserv: invalid option \"\(a)\"\n" + usage, toStderr: true)
                        }
                    }
                    break
                }
                guard o.config == nil else {
                    return .exit(1, "webserv: more than one configuration file given\n" + usage, toStderr: true)
                }
                o.config = a
            }
            i += 1
        }
        return .run(o)
    }

    public static func run(_ args: [String]) -> Int32 {
        switch parse(args) {
        case .exit(let code, let text, let toStderr):
            write(toStderr ? 2 : 1, text)
            return code
        case .run(let o):
            let cwd = currentDirectory()
            var prefix = o.prefix ?? cwd
            if !prefix.hasPrefix("/") { prefix = cwd + "/" + prefix }
            while prefix.count > 1 && prefix.hasSuffix("/") { prefix.removeLast() }
            let configPath = o.config ?? "conf/default.conf"
            let files = ConfigFiles.commandLineCandidates(configPath, cwd: cwd, prefix: o.prefix == nil ? nil : prefix)
            let configuration: Configuration
            do {
                configuration = try ConfigLoader.load(firstOf: files, named: configPath, prefix: prefix)
            } catch {
                write(2, "\(error)\n")
                return 1
            }
            if o.testOnly {
                do {
                    try Server.checkLogs(configuration)
                } catch {
                    write(2, "\(error)\n")
                    return 1
                }
                write(1, "configuration ok\n")
                return 0
            }
            let server = Server(configuration: configuration)
            do {
                try server.start()
            } catch {
                write(2, "\(error)\n")
                return 1
            }
            server.run()
            return 0
        }
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return Bytes.string(cString: buffer)
    }

    static func write(_ fd: Int32, _ s: String) {
        LogFiles.write(fd, Array(s.utf8))
    }
}
