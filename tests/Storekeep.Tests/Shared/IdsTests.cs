using Storekeep.Shared;

namespace Storekeep.Tests.Shared;

public sealed class IdsTests
{
    [Fact]
    public void Ids_strictly_increase_even_within_one_millisecond_and_stay_version_7()
    {
        var ids = Enumerable.Range(0, 100_000).Select(_ => Ids.NewId()).ToList();

        for (var i = 1; i < ids.Count; i++)
        {
            Assert.True(ids[i - 1].CompareTo(ids[i]) < 0, $"id {i} does not sort after id {i - 1}");
            Assert.True(string.CompareOrdinal(ids[i - 1].ToString(), ids[i].ToString()) < 0);
        }

        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.All(ids, id => Assert.Equal(0b10, (id.ToByteArray(bigEndian: true)[8] >> 6) & 0b11));
    }
}
