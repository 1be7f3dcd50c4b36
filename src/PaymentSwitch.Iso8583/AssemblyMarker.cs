namespace PaymentSwitch.Iso8583;
internal static class AssemblyMarker { }
