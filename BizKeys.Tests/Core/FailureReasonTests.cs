using BizKeys.Admin.Components.Shared;
using BizKeys.Core.Data;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Tests.Core;

/// <summary>A new failure reason is one case in UsageBucket plus a migration; this says which of them is missing.</summary>
public class FailureReasonTests
{
    [Fact]
    public void Every_reason_has_a_label_and_every_counted_reason_a_column_of_its_own()
    {
        var model = new BizKeys.Core.Data.Sqlite.SqliteBizKeysDbContext(new DbContextOptionsBuilder<BizKeys.Core.Data.Sqlite.SqliteBizKeysDbContext>().UseSqlite("Data Source=:memory:").Options).Model;
        var columns = model.FindEntityType(typeof(UsageBucket))!.GetProperties().Select(p => p.Name).ToHashSet();

        foreach (var reason in Enum.GetValues<FailureReason>())
            Assert.NotEqual(reason.ToString(), Display.Reason(reason)); // a label written for people, not the enum's name
        foreach (var reason in UsageBucket.CountedReasons)
        {
            Assert.Contains(reason.ToString(), columns);
            var bucket = new UsageBucket { [reason] = 7 };
            Assert.Equal(7, bucket[reason]);
            Assert.Equal(7, bucket.Failed);
        }
    }
}
