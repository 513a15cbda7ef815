import WebservCore

// The executable is deliberately thin: everything lives in WebservCore.
exit(Command.run(CommandLine.arguments))
