namespace PaymentSwitch.Core;
internal static class AssemblyMarker { }
