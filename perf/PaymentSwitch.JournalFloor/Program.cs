using PaymentSwitch.Journal;
using PaymentSwitch.JournalFloor;

// The durability floor of an authorisation on this disk: two durable journal appends in a row per authorisation,
// open-loop, with nothing else in the way. See FloorOptions.Usage.
//
//   dotnet run -c Release --project perf/PaymentSwitch.JournalFloor -- --rate 50000 --seconds 20
//
// Exit 0 when every authorisation completed, 1 when some failed or did not finish, 2 for bad arguments.

FloorOptions options;
try
{
    options = FloorOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine("error: " + ex.Message);
    Console.Error.WriteLine(FloorOptions.Usage);
    return 2;
}
if (options.HelpRequested)
{
    Console.Out.WriteLine(FloorOptions.Usage);
    return 0;
}

bool created = !Directory.Exists(options.Directory);
var journalOptions = new JournalOptions
{
    Directory = options.Directory,
    Durability = options.Durability,
    AllowUnsafeDurabilityNone = true,
    DirectWrites = options.Direct,
    InlineCompletionMax = options.InlineCompletionMax,
    MinFreeBytes = 0,
};
FloorResult result;
await using (WriteAheadJournal journal = WriteAheadJournal.Open(journalOptions, null, out _))
{
    result = new FloorRun(options, journal).Run();
}
if (created) Directory.Delete(options.Directory, recursive: true);

Console.Out.WriteLine(result.ToText());
Console.Out.WriteLine(result.ToJson());
return result.Passed ? 0 : 1;
