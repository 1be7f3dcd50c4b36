namespace PaymentSwitch.Journal;
internal static class AssemblyMarker { }
