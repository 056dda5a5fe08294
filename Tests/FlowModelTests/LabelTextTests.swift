import Testing
import FlowModel

@Suite("k=v label text: the one parser")
struct LabelTextTests {
    @Test("items trimmed of blanks, first = splits, items without = and - skipped")
    func items() {
        #expect(LabelText.parse([" app=web ", "\tversion=v1", "-", "noequals", "url=a=b", "empty="])
                == ["app": "web", "version": "v1", "url": "a=b", "empty": ""])
    }

    @Test("one string, , or ; separated")
    func string() {
        #expect(LabelText.parse("app=web; tier = x ,version=v1") == ["app": "web", "tier ": " x", "version": "v1"])
        #expect(LabelText.parse("") == [:])
    }
}
