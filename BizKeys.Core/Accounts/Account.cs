namespace BizKeys.Core.Accounts;

/// <summary>A business workspace: keys belong to exactly one account.</summary>
public sealed class Account
{
    public const int NameMaxLength = 100;

    private Account()
    {
    }

    public Guid Id { get; private set; }
    public string Name { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }

    /// <summary>
    /// How many keys the account has ever had (keys are never deleted). Kept by <see cref="ApiKeys.ApiKeyService"/>
    /// so the keys grid's unfiltered total costs one row read, not a count over every key.
    /// </summary>
    public int KeyCount { get; private set; }

    public static Account Create(string name, DateTime now) =>
        new() { Id = Guid.CreateVersion7(), Name = name.Trim(), CreatedAt = now };
}
