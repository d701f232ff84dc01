using BizKeys.Admin.Components.Shared;

namespace BizKeys.Tests.Admin;

public class DisplayTests
{
    [Theory]
    [InlineData(0, "Immediately")]
    [InlineData(60, "1 hour")]
    [InlineData(1440, "24 hours")]
    [InlineData(10080, "7 days")]
    [InlineData(90, "90 minutes")]
    public void Grace_choices_read_as_the_rotate_dialog_offers_them(int minutes, string label) =>
        Assert.Equal(label, Display.Grace(minutes));
}
