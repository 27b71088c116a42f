return V2V.Host.Cli.CommandLine.Run(args);
