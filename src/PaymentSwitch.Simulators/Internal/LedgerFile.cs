using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>Writes a ledger snapshot as JSON, durably: a temporary file flushed to disk, then renamed over the target.</summary>
internal static class LedgerFile
{
    public static async Task WriteAsync(string path, IssuerLedgerSnapshot ledger, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            string full = Path.GetFullPath(path);
            string? directory = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
            string temporary = full + ".tmp";
            await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await JsonSerializer.SerializeAsync(stream, ledger, SimulatorJson.Default.IssuerLedgerSnapshot, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
            Log.LedgerWritten(logger, full, ledger.NetApprovedAmountMinor, ledger.ApprovedCount, ledger.ReversedCount, ledger.AdviceCount);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.LedgerWriteFailed(logger, path, ex);
            throw;
        }
    }
}
