namespace PaymentSwitch.Host;

/// <summary>
/// Routes put in force over the operator endpoint were not written to the routes file: an edit of the file, read after
/// they were put in force, replaced them. The file holds that edit, and it is what is in force.
/// </summary>
public sealed class RoutesSupersededException(string path)
    : Exception($"not written to {path}: an edit of that file, read after this table was put in force, replaced it; the file holds that edit and it is in force")
{
}
