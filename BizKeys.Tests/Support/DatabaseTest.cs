namespace BizKeys.Tests.Support;

/// <summary>A test class with a fresh <see cref="TestDatabase"/> for each test.</summary>
public abstract class DatabaseTest : IAsyncLifetime
{
    protected TestDatabase Db { get; private set; } = default!;

    public virtual async Task InitializeAsync() => Db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await Db.DisposeAsync();
}
