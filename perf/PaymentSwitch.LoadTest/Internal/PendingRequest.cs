namespace PaymentSwitch.LoadTest.Internal;

/// <summary>What a request expects of its answer's DE39.</summary>
internal enum ResponseExpectation : byte
{
    /// <summary>Any valid code except 15: the BIN is a card or wallet BIN the target knows.</summary>
    KnownIssuer,
    /// <summary>15 (no such issuer): the BIN is one the target does not know.</summary>
    NoSuchIssuer,
    /// <summary>Any valid code (reversals).</summary>
    AnyValid,
}

/// <summary>One slot of a <see cref="PendingTable"/>: a request in flight, or free.</summary>
internal struct PendingRequest
{
    /// <summary>STAN of the request in flight; 0 when the slot is free.</summary>
    public int Stan;
    /// <summary>Allocations of this slot so far; part of the STAN.</summary>
    public int Generation;
    /// <summary>STAN of the last request of this slot that timed out (to recognise its late answer).</summary>
    public int LastTimedOutStan;
    public int RequestMti;
    public long IntendedTicks;
    public long SentTicks;
    /// <summary>Fields the request carried (bit n for DE n).</summary>
    public ulong SentFields;
    public ResponseExpectation Expectation;
    /// <summary>Intended after the warm-up: goes into the measured figures.</summary>
    public bool Measured;
}
