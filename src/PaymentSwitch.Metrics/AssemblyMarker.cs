namespace PaymentSwitch.Metrics;
internal static class AssemblyMarker { }
