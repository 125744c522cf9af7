def annex_site_files(fw, specs_root):
    raise NotImplementedError

def validate_annexes(root, fw):
    return []
