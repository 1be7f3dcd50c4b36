using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace PaymentSwitch.Metrics.Internal;

/// <summary>Cold throw paths of the histogram types, kept out of the inlined hot paths.</summary>
internal static class HistogramThrowHelper
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowArgumentOutOfRange(string paramName, string message) =>
        throw new ArgumentOutOfRangeException(paramName, paramName + " " + message);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowNegativeCount(string paramName, long count) =>
        throw new ArgumentOutOfRangeException(paramName, count, "A count to record must not be negative.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowIncompatibleLayout(string paramName) =>
        throw new ArgumentException(
            "The histogram must have the same lowest discernible value, highest trackable value and significant "
            + "value digits as the recorder.",
            paramName);
}
