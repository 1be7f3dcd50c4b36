namespace PaymentSwitch.Journal;

/// <summary>
/// Told when the journal starts and finishes completing a run of durable appends on a thread (their continuations run
/// inline in between), so the owner can gather what those continuations produce and act once per run: for example one
/// socket send per connection for all the replies of the run. Both calls come on the same thread, without an await
/// in between; <see cref="Exit"/> always follows <see cref="Enter"/>, also when a continuation throws.
/// </summary>
public interface ICompletionRunScope
{
    void Enter();

    void Exit();
}
