def test_a(request):
    print("NODEID", request.node.nodeid)
    assert 0
