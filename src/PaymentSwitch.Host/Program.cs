using PaymentSwitch.Host;
using PaymentSwitch.Host.Commands;

// PaymentSwitch: run the switch (default), or a tool verb.
//   dotnet run -c Release --project src/PaymentSwitch.Host                      run with config/switch.json
//   … -- --config FILE --Issuers:0:TimeoutMs=500                                 other file, overrides
//   … -- send --to 127.0.0.1:5000 --pan 4761739001010010 --amount 1000           one authorisation, answer printed masked
//   … -- journal verify|dump|report --config config/switch.json                  read the journal (see `journal --help`)
// Socket completions run on the socket engine's own threads (unless the environment says otherwise): a frame is read,
// parsed, routed and journaled without a hop through the thread pool. Nothing the switch runs on them blocks. Read once,
// when the first socket is used, so it is set before anything else.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

return args.Length > 0 && args[0] == "send"
    ? await SendCommand.RunAsync(args[1..])
    : args.Length > 0 && args[0] == "journal"
        ? JournalCommand.Run(args[1..])
        : await SwitchApplication.RunAsync(args);
