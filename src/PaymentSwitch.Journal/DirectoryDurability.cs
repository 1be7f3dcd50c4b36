using PaymentSwitch.Journal.Internal;

namespace PaymentSwitch.Journal;

/// <summary>For files kept beside the journal (the routes file): making a rename or a new file in a folder durable.</summary>
public static class DirectoryDurability
{
    /// <summary>
    /// fsync of <paramref name="directory"/>, so that files created, renamed or deleted in it survive a power cut (a
    /// file's own fsync does not cover its name). No-op on Windows.
    /// </summary>
    /// <exception cref="IOException">The folder cannot be opened or synced.</exception>
    public static void Sync(string directory) => NativeMethods.SyncDirectory(directory);
}
