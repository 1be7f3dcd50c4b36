namespace PaymentSwitch.Integration.Tests.Support;

/// <summary>Waits for a condition that the switch reaches asynchronously (reversals answered, breaker closed, …).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, int timeoutMs = 15_000)
    {
        DateTime deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("still not true after " + timeoutMs + " ms: " + what);
            await Task.Delay(20);
        }
    }
}
