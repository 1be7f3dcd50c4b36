namespace PaymentSwitch.Journal.Tests;

public class DirectoryDurabilityTests
{
    [Fact]
    public void Syncing_a_folder_succeeds_and_a_missing_folder_is_a_clear_IOException()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "routes.json"), "[]");
        DirectoryDurability.Sync(dir.Path);

        string missing = Path.Combine(dir.Path, "no-such-folder");
        IOException error = Assert.ThrowsAny<IOException>(() => DirectoryDurability.Sync(missing));
        Assert.Contains(missing, error.Message);
    }
}
